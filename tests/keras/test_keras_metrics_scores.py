"""F1Score, AUC and top-k accuracy give Keras 3's numbers on the same batches.

KERAS holds what Keras 3.15.1 (PyTorch 2.13.0 backend, CPU) returned, recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python -W ignore \\
        tests/keras/test_keras_metrics_scores.py

which runs the same cases on Keras' metrics (update_state over two batches, then
result) and prints the dictionary below.
"""

import numpy as np
import pytest


def _batches():
    """Two batches each of: 3-class probabilities with one-hot targets, and binary ones."""
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((20, 3))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    probs[3] = [0.4, 0.4, 0.2]  # a tie for the top
    labels = rng.integers(0, 3, 20)
    labels[:3] = 1
    onehot = np.eye(3)[labels]
    # Binary scores on a 0.05 grid: many land exactly on AUC's thresholds.
    scores = np.round(rng.random((40, 1)) * 20) / 20
    binary = (rng.random((40, 1)) < scores).astype(float)
    return [(a.astype("float32"), b.astype("float32"), c, d.astype("float32"),
             e.astype("float32"))
            for a, b, c, d, e in [(probs[:9], onehot[:9], labels[:9], scores[:25], binary[:25]),
                                  (probs[9:], onehot[9:], labels[9:], scores[25:], binary[25:])]]


# name: (class name, arguments, which data: "onehot", "sparse" or "binary")
CASES = {
    "f1_none": ("F1Score", {}, "onehot"),
    "f1_micro": ("F1Score", {"average": "micro"}, "onehot"),
    "f1_macro": ("F1Score", {"average": "macro"}, "onehot"),
    "f1_weighted_threshold": ("F1Score", {"average": "weighted", "threshold": 0.3}, "onehot"),
    "f1_binary": ("F1Score", {"threshold": 0.5}, "binary"),
    "auc": ("AUC", {}, "binary"),
    "auc_7_minoring": ("AUC", {"num_thresholds": 7, "summation_method": "minoring"}, "binary"),
    "auc_majoring": ("AUC", {"summation_method": "majoring"}, "binary"),
    "auc_pr": ("AUC", {"curve": "PR"}, "binary"),
    "auc_pr_11_minoring": ("AUC", {"curve": "PR", "num_thresholds": 11,
                                   "summation_method": "minoring"}, "binary"),
    "auc_pr_majoring": ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary"),
    "auc_thresholds": ("AUC", {"thresholds": [0.1, 0.33, 0.5, 0.8]}, "binary"),
    "auc_pr_thresholds": ("AUC", {"curve": "PR", "thresholds": [0.25, 0.5, 0.75]}, "binary"),
    "auc_flat_onehot": ("AUC", {}, "onehot"),
    "auc_flat_label_weights": ("AUC", {"label_weights": [1.0, 2.0, 0.5]}, "onehot"),
    "auc_multi_label": ("AUC", {"multi_label": True}, "onehot"),
    "auc_multi_label_pr": ("AUC", {"multi_label": True, "curve": "PR", "num_labels": 3},
                           "onehot"),
    "auc_multi_label_weights": ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5],
                                        "summation_method": "majoring"}, "onehot"),
    "top2": ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    "top1": ("TopKCategoricalAccuracy", {"k": 1}, "onehot"),
    "sparse_top2": ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
}


def measure(metrics, feed, to_list):
    """Each case's result after both batches; feed(metric, y_true, y_pred) is one update."""
    out = {}
    for name, (cls, kwargs, kind) in CASES.items():
        metric = getattr(metrics, cls)(**kwargs)
        for probs, onehot, labels, scores, binary in _batches():
            y_true, y_pred = {"onehot": (onehot, probs), "sparse": (labels, probs),
                              "binary": (binary, scores)}[kind]
            feed(metric, y_true, y_pred)
        out[name] = to_list(metric.result())
    return out


KERAS = {
    "f1_none": [0.19999995827674866, 0.4761904180049896, 0.0],
    "f1_micro": 0.2926828861236572,
    "f1_macro": 0.2253967970609665,
    "f1_weighted_threshold": 0.3357142210006714,
    "f1_binary": [0.8181816935539246],
    "auc": 0.8841145038604736,
    "auc_7_minoring": 0.8255208134651184,
    "auc_majoring": 0.8932291865348816,
    "auc_pr": 0.9292104244232178,
    "auc_pr_11_minoring": 0.7882183790206909,
    "auc_pr_majoring": 0.9363726377487183,
    "auc_thresholds": 0.8802083730697632,
    "auc_pr_thresholds": 0.9123830795288086,
    "auc_flat_onehot": 0.47312498092651367,
    "auc_flat_label_weights": 0.5126667022705078,
    "auc_multi_label": 0.4357638657093048,
    "auc_multi_label_pr": 0.36670538783073425,
    "auc_multi_label_weights": 0.4778911769390106,
    "top2": 0.550000011920929,
    "top1": 0.30000001192092896,
    "sparse_top2": 0.550000011920929,
}


def test_scores_match_keras_3():
    from fastnet.keras import metrics
    ours = measure(metrics, lambda m, t, p: m.update(p, t), lambda r: np.asarray(r).tolist())
    for name, theirs in KERAS.items():
        np.testing.assert_allclose(ours[name], theirs, rtol=1e-6, atol=1e-7, err_msg=name)


def test_scores_by_name_in_fit_and_refusals(capsys):
    from fastnet.keras import layers, metrics, models
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=[metrics.TopKCategoricalAccuracy(k=3), metrics.F1Score(average="macro")])
    x = np.random.default_rng(0).standard_normal((12, 4))
    y = np.eye(3)[np.arange(12) % 3]
    history = model.fit(x, y, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "top_k_categorical_accuracy", "f1_score"}
    assert history.history["top_k_categorical_accuracy"] == [1.0]  # k = 3 classes
    # The default k=5 with 3 classes: Keras 3 (torch) fails too, rather than report 100 %.
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["top_k_categorical_accuracy"])
    with pytest.raises(ValueError, match="k=5 is more than the 3 outputs"):
        model.evaluate(x, y, verbose=0)
    # One score per class: History keeps the array, the log line shows its mean (as Keras).
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=[metrics.F1Score()])
    scores = model.fit(x, y, epochs=1, verbose=2).history["f1_score"][0]
    assert scores.shape == (3,)
    assert f"f1_score: {scores.mean():.4f}" in capsys.readouterr().out
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match="thresholds must be numbers in"):
        metrics.AUC(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="label_weights"):
        metrics.AUC(label_weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="3 label_weights for 2 output columns"):
        metrics.AUC(multi_label=True, label_weights=[1, 2, 3]).update(np.ones((2, 2)),
                                                                      np.ones((2, 2)))
    with pytest.raises(ValueError, match="num_labels=3 but the outputs have 2"):
        metrics.AUC(multi_label=True, num_labels=3).update(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="shaped like"):
        metrics.AUC().update(np.ones((2, 1)), np.ones((3, 1)))


if __name__ == "__main__":
    import json

    import keras

    def feed(metric, y_true, y_pred):
        metric.update_state(y_true, y_pred)

    print(json.dumps(measure(keras.metrics, feed,
                             lambda r: np.asarray(keras.ops.convert_to_numpy(r)).tolist()),
                     indent=1))
