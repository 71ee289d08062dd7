"""load_model gives back the compiled metrics with their settings, not their defaults."""

import json

import numpy as np
import pytest

from fastnet import keras
from fastnet.keras import metrics


def _model(outputs=3, activation="softmax"):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(outputs, activation=activation)])


def _data(n=24):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, n)
    return rng.standard_normal((n, 4)).astype("float32"), labels


# (metric with settings other than its defaults, loss, targets as one-hot?)
SETTINGS = [
    (lambda: metrics.Precision(thresholds=0.3), "categorical_crossentropy", True),
    (lambda: metrics.Recall(thresholds=0.7, name="recall_at_70"), "categorical_crossentropy",
     True),
    (lambda: metrics.TopKCategoricalAccuracy(k=2), "categorical_crossentropy", True),
    (lambda: metrics.SparseTopKCategoricalAccuracy(k=2, name="top2"),
     "sparse_categorical_crossentropy", False),
    (lambda: metrics.F1Score(average="macro", threshold=0.4), "categorical_crossentropy", True),
    (lambda: metrics.AUC(num_thresholds=17, summation_method="minoring"),
     "categorical_crossentropy", True),
    # a PR curve, given thresholds and per-label weights came back as the defaults
    (lambda: metrics.AUC(curve="PR", thresholds=[0.2, 0.5, 0.8], name="pr_auc"),
     "categorical_crossentropy", True),
    (lambda: metrics.AUC(multi_label=True, num_labels=3, label_weights=[1.0, 2.0, 0.5],
                         name="weighted_auc"), "categorical_crossentropy", True),
    (lambda: metrics.CategoricalAccuracy(name="acc_by_class"), "categorical_crossentropy", True),
]


@pytest.mark.parametrize("make, loss, onehot", SETTINGS)
def test_a_metric_comes_back_with_its_settings(tmp_path, make, loss, onehot):
    x, labels = _data()
    y = np.eye(3, dtype="float32")[labels] if onehot else labels
    metric = make()
    model = _model()
    model.compile("adam", loss, metrics=["accuracy", metric])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    ids = loaded._metric_ids[0]
    assert ids[0] == "accuracy"  # a name stays a name
    assert type(ids[1]) is type(metric) and ids[1] is not metric
    assert ids[1].get_config() == metric.get_config()
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == model.evaluate(
        x, y, verbose=0, return_dict=True)


def test_each_output_keeps_its_own_metric_objects(tmp_path):
    inputs = keras.Input((4,))
    classes = keras.layers.Dense(3, activation="softmax", name="classes")(inputs)
    value = keras.layers.Dense(1, name="value")(inputs)
    model = keras.Model(inputs, [classes, value])
    model.compile("sgd", ["categorical_crossentropy", "mse"],
                  metrics={"classes": [metrics.TopKCategoricalAccuracy(k=1)], "value": ["mae"]})
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert loaded._metric_ids[0][0].k == 1 and loaded._metric_ids[1] == ["mae"]


def test_metric_classes_have_keras_default_names():
    assert metrics.BinaryAccuracy().name == "binary_accuracy"
    assert metrics.MeanAbsoluteError().name == "mean_absolute_error"
    assert metrics.Precision().name == "precision"
    assert metrics.TopKCategoricalAccuracy().get_config() == {
        "name": "top_k_categorical_accuracy", "k": 5}
    with pytest.raises(TypeError, match="name must be a string"):
        metrics.Recall(name=3)


def _rewrite_metrics(path, metrics_spec):
    with np.load(path) as archive:
        arrays = dict(archive)
    spec = json.loads(str(arrays["config"][()]))
    spec["compile"]["metrics"] = metrics_spec
    arrays["config"] = np.array(json.dumps(spec))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


@pytest.mark.parametrize("spec, words", [
    ([{"class_name": "Pickled", "config": {}}], "unknown metric class 'Pickled'"),
    ([{"class_name": "TopKCategoricalAccuracy", "config": {"k": 0}}], "k must be an integer"),
    ([{"class_name": "Precision", "config": {"thresholds": 2.0}}], "thresholds must be one"),
    ([{"class_name": "Precision", "config": {"eval": "x"}}], "unexpected keyword"),
    ([{"class_name": "Precision", "config": []}], "a metric config is an object"),
    ([{"class_name": "Precision"}], "keys 'class_name' and 'config'"),
    ([3], "each a name or an object"),
])
def test_a_tampered_metric_is_refused_naming_the_field(tmp_path, spec, words):
    model = _model()
    model.compile("sgd", "categorical_crossentropy", metrics=[metrics.Precision()])
    path = tmp_path / "model.keras"
    model.save(path)
    _rewrite_metrics(path, spec)
    with pytest.raises(ValueError, match=f"compile.metrics: .*{words}"):
        keras.models.load_model(path)
