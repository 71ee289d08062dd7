"""fastnet.sklearn.metrics: confusion matrix and per-class scores of book nets, keras models
and estimators, computed by scikit-learn."""

import sys

import numpy as np
import pytest

from estimators.keras_models import dense_model
from fastnet.nets import TwoLayerNet
from fastnet.optimizers import Adam
from fastnet.sklearn import FastnetClassifier, KerasClassifier
from fastnet.sklearn.metrics import plot_confusion_matrix, predicted_labels, report


@pytest.fixture(scope="module")
def book_net(digits):
    x, t, _, _ = digits
    np.random.seed(0)
    net = TwoLayerNet(784, 30, 10, dtype=np.float32)
    optimizer = Adam(lr=0.005)
    rng = np.random.default_rng(0)
    for _ in range(100):
        batch = rng.choice(len(x), 100)
        optimizer.update(net.params, net.gradient(x[batch], t[batch]))
    return net


def test_report_of_a_book_net_matches_its_accuracy(book_net, digits):
    _, _, x_test, t_test = digits
    x = np.concatenate([x_test, x_test, x_test[:234]])  # 1,234 rows: batches end part-way
    t = np.concatenate([t_test, t_test, t_test[:234]])
    r = report(book_net, x, t)
    assert r.confusion_matrix.sum() == 1234
    assert r.accuracy == pytest.approx(book_net.accuracy(x, t))
    assert np.trace(r.confusion_matrix) / 1234 == pytest.approx(r.accuracy)
    # Recall of class k: its diagonal entry over its row; precision: over its column.
    cm = r.confusion_matrix
    assert np.allclose(r.recall, np.diag(cm) / cm.sum(axis=1))
    assert np.allclose(r.precision, np.diag(cm) / np.maximum(cm.sum(axis=0), 1))
    assert np.allclose(r.f1, 2 * r.precision * r.recall
                       / np.maximum(r.precision + r.recall, 1e-12))
    assert list(r.support) == list(np.bincount(t))
    assert "precision" in r.text and "macro avg" in r.text


def test_one_hot_labels_give_the_same_report(book_net, digits):
    _, _, x_test, t_test = digits
    one_hot = np.eye(10)[t_test]
    a, b = report(book_net, x_test, t_test), report(book_net, x_test, one_hot)
    assert np.array_equal(a.confusion_matrix, b.confusion_matrix)


def test_estimators_and_keras_models_report_their_predictions(blobs):
    x, t = blobs
    clf = FastnetClassifier(hidden_layer_sizes=(8,), epochs=20, learning_rate=0.01,
                            random_state=0).fit(x, t)
    assert report(clf, x, t).accuracy == pytest.approx(clf.score(x, t))
    keras = KerasClassifier(dense_model, optimizer="adam", epochs=20, random_state=0).fit(x, t)
    assert np.array_equal(predicted_labels(keras.model_, x), keras.predict(x))


def test_bad_input_is_named(book_net, digits):
    _, _, x_test, t_test = digits
    with pytest.raises(ValueError, match="samples"):
        report(book_net, x_test, t_test[:-1])
    with pytest.raises(ValueError, match="at least one sample"):
        report(book_net, x_test[:0], t_test[:0])


def test_plot_is_saved(book_net, digits, tmp_path):
    pytest.importorskip("matplotlib")
    _, _, x_test, t_test = digits
    path = plot_confusion_matrix(report(book_net, x_test, t_test), tmp_path / "cm.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_plot_without_matplotlib_says_what_to_install(book_net, digits, monkeypatch):
    _, _, x_test, t_test = digits
    result = report(book_net, x_test, t_test)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_confusion_matrix(result, "never.png")
