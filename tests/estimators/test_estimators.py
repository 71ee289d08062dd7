"""FastnetClassifier / FastnetRegressor: the estimator contract, beyond scikit-learn's checks."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastnet.datasets import load_boston_housing
from fastnet.sklearn import FastnetClassifier, FastnetRegressor

QUICK = {"hidden_layer_sizes": (16,), "epochs": 30, "learning_rate": 0.01, "batch_size": 32}


def test_digits_cross_validation_learns(digits):
    x, t, _, _ = digits
    clf = FastnetClassifier(hidden_layer_sizes=(50,), epochs=10, random_state=0)
    scores = cross_val_score(clf, x, t, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.min() > 0.8, scores


def test_same_random_state_same_net_other_state_other_net(blobs):
    x, t = blobs
    a = FastnetClassifier(**QUICK, random_state=3).fit(x, t)
    b = FastnetClassifier(**QUICK, random_state=3).fit(x, t)
    c = FastnetClassifier(**QUICK, random_state=4).fit(x, t)
    assert np.array_equal(a.predict_proba(x), b.predict_proba(x))
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.predict_proba(x), c.predict_proba(x))


def test_random_state_leaves_numpys_global_generator_alone(blobs):
    # The book's nets draw from np.random; a seeded estimator must not move it.
    x, t = blobs
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    FastnetClassifier(**QUICK, random_state=0).fit(x, t)
    assert np.random.rand() == expected


def test_clone_and_params_round_trip():
    clf = FastnetClassifier(hidden_layer_sizes=(8, 4), activation="tanh", optimizer="sgd",
                            learning_rate=0.1, weight_decay=1e-4, dtype="float64")
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    copy.set_params(epochs=3, hidden_layer_sizes=(5,))
    assert copy.epochs == 3 and clf.epochs == 20


def test_string_labels_and_classes(blobs):
    x, t = blobs
    names = np.array(["cat", "dog", "emu"])[t]
    clf = FastnetClassifier(**QUICK, random_state=0).fit(x, names)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    assert set(clf.predict(x)) <= {"cat", "dog", "emu"}
    assert clf.predict_proba(x).shape == (150, 3)
    assert np.allclose(clf.predict_proba(x).sum(axis=1), 1)
    assert clf.score(x, names) > 0.9


def test_not_fitted_and_wrong_feature_count(blobs):
    x, t = blobs
    clf = FastnetClassifier(**QUICK)
    with pytest.raises(NotFittedError):
        clf.predict(x)
    clf.fit(x, t)
    with pytest.raises(ValueError, match="features"):
        clf.predict(x[:, :3])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(x[:, :3], t)


def test_labels_it_cannot_handle():
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match="Unknown label type"):
        FastnetClassifier(**QUICK).fit(x, [0.5, 1.5, 2.5, 0.25])
    with pytest.raises(ValueError, match="NaN"):
        FastnetClassifier(**QUICK).fit(np.array([[np.nan, 0]] * 4), [0, 1, 0, 1])


@pytest.mark.parametrize("param, value, message", [
    ("hidden_layer_sizes", (10, 0), "hidden_layer_sizes"),
    ("hidden_layer_sizes", "wide", "hidden_layer_sizes"),
    ("activation", "softplus", "activation"),
    ("optimizer", "lbfgs", "optimizer"),
    ("learning_rate", 0, "learning_rate"),
    ("learning_rate", float("nan"), "learning_rate"),
    ("weight_decay", -1, "weight_decay"),
    ("batch_size", 0, "batch_size"),
    ("epochs", 2.5, "epochs"),
    ("dtype", "int32", "dtype"),
    ("dtype", None, "dtype"),
    ("n_threads", 0, "n_threads"),
])
def test_bad_parameters_are_named_in_fit(blobs, param, value, message):
    x, t = blobs
    with pytest.raises(ValueError, match=message):
        FastnetClassifier(**{param: value}).fit(x, t)


def test_partial_fit_needs_classes_first_and_continues(blobs):
    x, t = blobs
    clf = FastnetClassifier(**QUICK, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(x, t)
    clf.partial_fit(x[t < 2], t[t < 2], classes=[0, 1, 2])  # a batch missing class 2
    net = clf.net_
    for _ in range(20):
        clf.partial_fit(x, t)
    assert clf.net_ is net and clf.n_iter_ == 21 and len(clf.loss_curve_) == 21
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match="not set up for"):
        clf.partial_fit(x[:3], [0, 1, 7])


def test_warm_start_continues_the_same_net(blobs):
    x, t = blobs
    clf = FastnetClassifier(**{**QUICK, "epochs": 2}, warm_start=True, random_state=0)
    clf.fit(x, t)
    net, first = clf.net_, clf.loss_curve_[-1]
    clf.fit(x, t)
    assert clf.net_ is net and clf.n_iter_ == 4 and clf.loss_curve_[-1] < first
    clf.set_params(hidden_layer_sizes=(7,))
    with pytest.raises(ValueError, match="warm_start=False"):
        clf.fit(x, t)
    cold = FastnetClassifier(**{**QUICK, "epochs": 2}, random_state=0)
    cold.fit(x, t)
    net = cold.net_
    cold.fit(x, t)
    assert cold.net_ is not net and cold.n_iter_ == 2


def test_float64_and_every_optimizer_learn(blobs):
    x, t = blobs
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        rate = {"sgd": 0.1, "adagrad": 0.1}.get(name, 0.01)
        clf = FastnetClassifier(**{**QUICK, "learning_rate": rate}, optimizer=name,
                                dtype="float64", random_state=0).fit(x, t)
        assert clf.net_.params["W1"].dtype == np.float64
        assert clf.score(x, t) > 0.9, name


def test_divergence_is_a_clear_error(blobs):
    x, t = blobs
    clf = FastnetClassifier(hidden_layer_sizes=(16,), optimizer="sgd", learning_rate=1e30,
                            epochs=5, random_state=0)
    with pytest.raises(ValueError, match="training diverged.*learning_rate"):
        clf.fit(x * 1e3, t)


def test_pickle_keeps_predictions(blobs):
    x, t = blobs
    clf = FastnetClassifier(**QUICK, random_state=0).fit(x, t)
    copy = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(copy.predict_proba(x), clf.predict_proba(x))


def test_regressor_on_boston_in_a_pipeline():
    x, y = load_boston_housing()
    reg = make_pipeline(StandardScaler(), FastnetRegressor(
        hidden_layer_sizes=(32,), epochs=60, batch_size=16, learning_rate=0.003,
        random_state=0))
    reg.fit(x[:400], y[:400])
    assert reg.score(x[:400], y[:400]) > 0.8
    assert reg.predict(x[400:]).shape == (106,)


def test_regressor_multi_output_and_integer_targets():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = np.column_stack([x @ [1, 2, 3], x @ [-1, 0, 1]])
    reg = FastnetRegressor(**QUICK, random_state=0).fit(x, y)
    assert reg.predict(x).shape == (200, 2) and reg.n_outputs_ == 2
    assert reg.score(x, y) > 0.9
    with pytest.raises(ValueError, match="target column"):
        reg.partial_fit(x, y[:, 0])
    ints = FastnetRegressor(**QUICK, random_state=0).fit(x, np.round(y[:, 0]).astype(int))
    assert ints.predict(x).dtype == np.float64
