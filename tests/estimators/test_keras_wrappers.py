"""KerasClassifier / KerasRegressor: a model-building function as a scikit-learn estimator."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from estimators.keras_models import compiled_binary_model, dense_model, one_hot_model
from fastnet.keras import Sequential, layers
from fastnet.sklearn import KerasClassifier, KerasRegressor


def test_model_params_are_searchable_and_reach_the_function(blobs):
    x, t = blobs
    clf = KerasClassifier(dense_model, model__hidden=4, optimizer="adam", epochs=20,
                          random_state=0)
    assert clf.get_params()["model__hidden"] == 4
    assert clone(clf).get_params() == clf.get_params()
    search = GridSearchCV(clf, {"model__hidden": [4, 12]}, cv=2).fit(x, t)
    assert search.best_estimator_.model_.layers[0].units in (4, 12)
    assert search.best_params_["model__hidden"] in (4, 12)


def test_unknown_parameter_is_refused_at_fit(blobs):
    x, t = blobs
    with pytest.raises(TypeError, match="model__NAME"):
        KerasClassifier(dense_model, hidden=4).fit(x, t)
    with pytest.raises(TypeError, match="function that builds"):
        KerasClassifier(Sequential()).fit(x, t)


def test_reproducible_with_random_state(blobs):
    x, t = blobs
    kwargs = {"model__hidden": 8, "optimizer": "adam", "epochs": 5, "random_state": 1}
    a = KerasClassifier(dense_model, **kwargs).fit(x, t)
    b = KerasClassifier(dense_model, **kwargs).fit(x, t)
    assert np.array_equal(a.predict_proba(x), b.predict_proba(x))
    assert a.history_["loss"] == b.history_["loss"]


def test_labels_follow_the_loss(blobs):
    x, t = blobs
    two = t < 2
    binary = KerasClassifier(compiled_binary_model, epochs=30, random_state=0)
    binary.fit(x[two], np.where(t[two] == 1, "yes", "no"))
    assert binary.predict_proba(x[two]).shape == (100, 2)
    assert binary.score(x[two], np.where(t[two] == 1, "yes", "no")) > 0.9
    one_hot = KerasClassifier(one_hot_model, epochs=40, random_state=0).fit(x, t)
    assert one_hot.score(x, t) > 0.9
    with pytest.raises(ValueError, match="cannot learn 3 classes"):
        KerasClassifier(compiled_binary_model).fit(x, t)


def test_output_width_must_match_the_classes(blobs):
    x, t = blobs

    with pytest.raises(ValueError, match="2 output unit"):
        KerasClassifier(_two_unit_model).fit(x, t)


def _two_unit_model(meta):
    return Sequential([layers.Dense(2, activation="softmax",
                                    input_shape=(meta["n_features_in_"],))])


def test_regressor_kfold_and_warm_start():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    y = x @ np.array([1.0, -2.0, 0.5])
    reg = KerasRegressor(dense_model, model__hidden=16, optimizer="adam", epochs=60,
                         batch_size=16, random_state=0)
    result = cross_validate(reg, x, y, cv=KFold(3, shuffle=True, random_state=0),
                            scoring="r2", return_estimator=True)
    assert result["test_score"].min() > 0.8, result["test_score"]
    assert result["estimator"][0].predict(x).shape == (120,)
    warm = KerasRegressor(dense_model, epochs=2, warm_start=True, random_state=0).fit(x, y)
    model = warm.model_
    warm.fit(x, y)
    assert warm.model_ is model and len(warm.history_["loss"]) == 4
    warm.partial_fit(x, y)
    assert len(warm.history_["loss"]) == 5


def test_fit_params_reach_the_model_and_sample_weight_is_refused(blobs):
    x, t = blobs
    clf = KerasClassifier(dense_model, epochs=2, random_state=0)
    clf.fit(x, t, validation_split=0.2)
    assert "val_loss" in clf.history_
    with pytest.raises(TypeError, match="sample_weight"):
        clf.fit(x, t, sample_weight=np.ones(len(t)))
