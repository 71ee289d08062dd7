"""Precision and Recall: ratios of the pass's totals, by Keras' definition."""

import numpy as np
import pytest

from fastnet.keras import layers, metrics, models


def test_precision_and_recall_count_over_every_batch_not_per_batch():
    precision, recall = metrics.Precision(), metrics.Recall()
    batches = [  # (probabilities, targets)
        (np.array([[0.9], [0.8], [0.2]]), np.array([[1.0], [0.0], [1.0]])),  # TP 1, FP 1, FN 1
        (np.array([[0.7], [0.6]]), np.array([[1.0], [1.0]])),                # TP 2
    ]
    for m in (precision, recall):
        for p, t in batches:
            m.update(p, t)
    # Totals: TP 3, FP 1, FN 1 -> 3/4 each (the mean of batch ratios would be 0.75 / 0.75
    # too here, so check a case where they differ below).
    assert precision.result() == pytest.approx(0.75) and recall.result() == pytest.approx(0.75)
    skewed = metrics.Precision()
    skewed.update(np.array([[0.9]]), np.array([[1.0]]))              # 1/1
    skewed.update(np.array([[0.9], [0.9], [0.9]]), np.zeros((3, 1)))  # 0/3
    assert skewed.result() == pytest.approx(1 / 4)                     # not (1 + 0) / 2
    empty = metrics.Recall()
    empty.update(np.array([[0.9]]), np.array([[0.0]]))
    assert empty.result() == 0.0


def test_thresholds_logits_and_refusals():
    m = metrics.Precision(thresholds=0.85)
    m.update(np.array([[0.9], [0.8]]), np.array([[1.0], [0.0]]))
    assert m.result() == 1.0
    logits = metrics.Recall()
    logits.update(np.array([[2.0], [-1.0]]), np.array([[1.0], [1.0]]), kind="sigmoid")
    assert logits.result() == 0.5
    with pytest.raises(ValueError, match="thresholds"):
        metrics.Precision(thresholds=2)
    with pytest.raises(ValueError, match="shaped"):
        metrics.Precision().update(np.ones((2, 3)), np.array([0, 1]))


def test_precision_and_recall_in_fit_by_name_and_instance():
    model = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=["precision", metrics.Recall(name="rec")])
    x = np.random.default_rng(0).standard_normal((20, 2))
    y = (x[:, :1] > 0).astype(float)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert set(history.history) == {"loss", "precision", "rec"}
    p = model.predict(x, verbose=0) > 0.5
    tp = float((p & (y > 0.5)).sum())
    loss, precision, recall = model.evaluate(x, y, verbose=0)
    assert precision == pytest.approx(tp / max(p.sum(), 1))
    assert recall == pytest.approx(tp / (y > 0.5).sum())
