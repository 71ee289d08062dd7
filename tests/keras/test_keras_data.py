"""fastnet.keras.datasets, utils.to_categorical and fastnet.plot.plot_history."""

import json
import zipfile

import numpy as np
import pytest

from fastnet.datasets import BundledDataWarning
from fastnet.keras import utils
from fastnet.keras.datasets import boston_housing, imdb, mnist, reuters


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path / "fastnet"))
    (tmp_path / "keras" / "datasets").mkdir(parents=True)
    return tmp_path / "keras" / "datasets"


def _objects(sequences):
    out = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        out[i] = list(s)
    return out


def test_mnist_offline_falls_back_to_the_bundled_digits(keras_home):
    with pytest.warns(BundledDataWarning):
        (x, y), (xt, yt) = mnist.load_data()
    assert x.shape == (4000, 28, 28) and x.dtype == np.uint8
    assert xt.shape == (1000, 28, 28) and y.dtype == np.uint8 and set(y) == set(range(10))


def test_mnist_reads_keras_cache_first(keras_home):
    x = np.zeros((3, 28, 28), np.uint8)
    np.savez(keras_home / "mnist.npz", x_train=x, y_train=np.arange(3, dtype=np.uint8),
             x_test=x[:1], y_test=np.zeros(1, np.uint8))
    (a, b), (c, d) = mnist.load_data()
    assert a.shape == (3, 28, 28) and list(b) == [0, 1, 2] and c.shape == (1, 28, 28)


def test_boston_housing_split_like_keras():
    (x, y), (xt, yt) = boston_housing.load_data()
    assert x.shape == (404, 13) and xt.shape == (102, 13) and y.shape == (404,)
    (x2, _), _ = boston_housing.load_data()
    np.testing.assert_array_equal(x, x2)  # the same seed gives the same split


def test_imdb_reads_keras_format_and_applies_keras_indexing(keras_home):
    np.savez(keras_home / "imdb.npz", x_train=_objects([[1, 2, 3], [4, 5, 6, 7]]),
             y_train=np.array([0, 1]), x_test=_objects([[9, 10]]), y_test=np.array([1]))
    (x, y), (xt, yt) = imdb.load_data(num_words=8)
    pairs = sorted(zip([list(s) for s in x], y.tolist()))
    # start_char 1, ids shifted by index_from 3, ids >= num_words become oov_char 2
    assert pairs == [([1, 4, 5, 6], 0), ([1, 7, 2, 2, 2], 1)]
    assert [list(s) for s in xt] == [[1, 2, 2]] and list(yt) == [1]
    (x, _), _ = imdb.load_data(maxlen=5)
    assert [len(s) for s in x] == [4]


def test_reuters_reads_keras_format(keras_home):
    wires = [[1, 2], [3], [4, 5, 6], [7, 8], [9]]
    np.savez(keras_home / "reuters.npz", x=_objects(wires), y=np.arange(5))
    (x, y), (xt, yt) = reuters.load_data(test_split=0.2)
    assert len(x) == 4 and len(xt) == 1 and sorted(list(y) + list(yt)) == [0, 1, 2, 3, 4]
    assert all(s[0] == 1 for s in x)


def test_word_index_and_missing_files_say_where_to_put_them(keras_home):
    with pytest.raises(FileNotFoundError, match="reuters.npz.*KERAS_HOME"):
        reuters.load_data()
    with pytest.raises(FileNotFoundError, match="imdb_word_index.json"):
        imdb.get_word_index()
    (keras_home / "imdb_word_index.json").write_text(json.dumps({"the": 1}))
    assert imdb.get_word_index() == {"the": 1}


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def test_data_files_are_never_fully_unpickled(keras_home):
    evil = np.empty(1, dtype=object)
    evil[0] = _Evil()
    np.savez(keras_home / "imdb.npz", x_train=evil, y_train=np.zeros(1),
             x_test=evil, y_test=np.zeros(1))
    with pytest.raises(ValueError, match="imdb.npz.*refusing to unpickle builtins.print"):
        imdb.load_data()


def test_to_categorical():
    out = utils.to_categorical([2, 0, 1])
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1]])
    assert out.dtype == np.float32
    assert utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    with pytest.raises(ValueError, match="out of range"):
        utils.to_categorical([5], num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        utils.to_categorical([-1])


def test_plot_history_saves_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from fastnet.plot import plot_history

    history = {"loss": [1.0, 0.5], "acc": [0.5, 0.8], "val_loss": [1.1, 0.7],
               "val_acc": [0.4, 0.7]}
    path = plot_history(history, path=tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 1000
    assert str(path).endswith("curves.png")
    with pytest.raises(ValueError, match="empty"):
        plot_history({}, path=tmp_path / "x.png")


def test_keras_mnist_file_declaring_a_huge_array_is_refused(keras_home):
    text = repr({"descr": "|u1", "fortran_order": False, "shape": (60000_000, 28, 28)})
    header = text.encode() + b"\n"
    with zipfile.ZipFile(keras_home / "mnist.npz", "w") as archive:  # 47 GB in 200 bytes
        for name in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(f"{name}.npy", b"\x93NUMPY\x01\x00"
                             + len(header).to_bytes(2, "little") + header)
    with pytest.raises(ValueError, match=r"mnist\.npz: array 'x_train' declares"):
        mnist.load_data()


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"the": "one"}'])
def test_a_word_index_that_is_not_one_names_the_file(keras_home, text):
    (keras_home / "reuters_word_index.json").write_text(text)
    with pytest.raises(ValueError, match=r"reuters_word_index\.json: not a"):
        reuters.get_word_index()
