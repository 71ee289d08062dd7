"""save_params / load_params: fastnet's .npz + JSON, the book's pickle, files that do not fit."""

import json
import pickle
import re
import warnings
import zipfile

import numpy as np
import pytest

import fastnet
from fastnet.nets import MultiLayerNet, ParamsFileWarning, SimpleConvNet, TwoLayerNet
from fastnet.scratch.common.multi_layer_net import MultiLayerNet as BookMultiLayerNet


def named(path):
    return re.escape(str(path))


def book_params(net, seed=0):
    """float64 arrays shaped like the net's, as the book's save_params writes them."""
    rng = np.random.default_rng(seed)
    return {key: rng.standard_normal(p.shape) for key, p in net.params.items()}


def assert_loaded(net, params):
    for key, value in params.items():
        np.testing.assert_array_equal(net.params[key], value.astype(net.params[key].dtype))


# NumPy 1.x named its globals numpy.core; protocols 0-2 spell them as text,
# which can be rewritten here to make such a file.
@pytest.mark.parametrize("protocol, numpy_names",
                         [(p, "numpy._core") for p in range(pickle.HIGHEST_PROTOCOL + 1)]
                         + [(p, "numpy.core") for p in range(3)])
def test_book_pickles_of_any_protocol_and_numpy_load(tmp_path, protocol, numpy_names):
    net = TwoLayerNet(300, 200, 10)  # data, not pickle's overhead, decides the file's size
    params = book_params(net)
    data = pickle.dumps(params, protocol=protocol)
    if numpy_names == "numpy.core":
        data = data.replace(b"numpy._core", b"numpy.core")
    path = tmp_path / "params.pkl"
    path.write_bytes(data)
    net.load_params(str(path))
    assert_loaded(net, params)


def test_a_pkl_name_writes_the_books_pickle(tmp_path):
    net = TwoLayerNet(4, 3, 2, weight_init_std=1.0)
    net.save_params(str(tmp_path / "params.pkl"))
    with open(tmp_path / "params.pkl", "rb") as f:
        saved = pickle.load(f)
    assert sorted(saved) == ["W1", "W2", "b1", "b2"]
    np.testing.assert_array_equal(saved["W1"], net.params["W1"])


def test_book_compat_nets_keep_params_pkl(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = BookMultiLayerNet(4, [3], 2)
    net.save_params()
    with open(tmp_path / "params.pkl", "rb") as f:
        assert sorted(pickle.load(f)) == ["W1", "W2", "b1", "b2"]
    BookMultiLayerNet(4, [3], 2).load_params()


def test_the_content_decides_not_the_name(tmp_path):
    net = TwoLayerNet(4, 3, 2, weight_init_std=1.0)
    net.save_params(str(tmp_path / "weights.bin"))  # .npz content under any name
    net.save_params(str(tmp_path / "book.pkl"))
    (tmp_path / "book.pkl").rename(tmp_path / "book.npz")  # a pickle under an .npz name
    for name in ("weights.bin", "book.npz"):
        again = TwoLayerNet(4, 3, 2)
        again.load_params(str(tmp_path / name))
        assert_loaded(again, net.params)


def test_npz_holds_the_config_and_loads_into_a_float64_net(tmp_path):
    net = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 2, "filter_size": 3,
                        "pad": 0, "stride": 1}, hidden_size=5, output_size=3, dtype=np.float32)
    path = tmp_path / "conv.npz"
    net.save_params(str(path))
    with np.load(path, allow_pickle=False) as saved:
        config = json.loads(str(saved["config"]))
    assert config["network"] == "SimpleConvNet" and config["version"] == 1
    assert config["params"]["W1"] == {"shape": [2, 1, 3, 3], "dtype": "float32"}
    again = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 2, "filter_size": 3,
                          "pad": 0, "stride": 1}, hidden_size=5, output_size=3)
    conv = again.layers["Conv1"]
    again.load_params(str(path))
    assert_loaded(again, net.params)
    assert conv.W is again.params["W1"]  # in place: the layers still share the arrays


def test_every_difference_is_named_and_nothing_is_copied(tmp_path):
    net = TwoLayerNet(4, 3, 2)
    before = {key: p.copy() for key, p in net.params.items()}
    bad = book_params(net)
    bad["W1"] = np.ones((2, 2))
    del bad["b2"]
    path = tmp_path / "params.pkl"
    path.write_bytes(pickle.dumps(bad))
    with pytest.raises(ValueError, match=r"no parameter 'b2'.*W1 has shape \(2, 2\), "
                                         r"the network needs \(4, 3\)"):
        net.load_params(str(path))
    for key, value in before.items():
        np.testing.assert_array_equal(net.params[key], value)  # b1, W2 untouched


@pytest.mark.parametrize("contents, words", [
    ({"W1": "not an array"}, "W1 is a str"),
    ({"W1": np.ones((4, 3), dtype=np.int64)}, "W1 is int64, not floating point"),
    ([np.ones(3)], "holds a list"),
])
def test_pickles_that_are_not_params_are_refused(tmp_path, contents, words):
    net = TwoLayerNet(4, 3, 2)
    if isinstance(contents, dict):
        contents = dict(book_params(net), **contents)
    path = tmp_path / "params.pkl"
    path.write_bytes(pickle.dumps(contents))
    with pytest.raises(ValueError, match=f"{named(path)}.*{words}"):
        net.load_params(str(path))


def test_npz_declaring_a_huge_parameter_is_refused_before_reading(tmp_path):
    path = tmp_path / "params.npz"
    header = repr({"descr": "<f8", "fortran_order": False, "shape": (20000, 20000)})
    text = header.encode() + b"\n"
    with zipfile.ZipFile(path, "w") as archive:  # a 3.2 GB W1 in a few hundred bytes
        archive.writestr("W1.npy", b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text)
    with pytest.raises(ValueError, match=rf"{named(path)}.*W1 has shape \(20000, 20000\)"):
        TwoLayerNet(4, 3, 2).load_params(str(path))


def test_other_npz_files(tmp_path):
    net = TwoLayerNet(4, 3, 2)
    plain = tmp_path / "plain.npz"
    np.savez(plain, **book_params(net))  # no config: a learner's own np.savez
    net.load_params(str(plain))
    assert_loaded(net, book_params(net))
    keras_file = tmp_path / "model.npz"
    np.savez(keras_file, config=np.array(json.dumps({"format": "fastnet.keras"})))
    with pytest.raises(ValueError, match=f"{named(keras_file)}.*not a fastnet.nets params"):
        net.load_params(str(keras_file))
    newer = tmp_path / "newer.npz"
    np.savez(newer, config=np.array(json.dumps({"format": "fastnet.nets", "version": 99})),
             **book_params(net))
    with pytest.raises(ValueError, match=f"{named(newer)}.*version 99"):
        net.load_params(str(newer))


def test_a_file_from_another_network_warns(tmp_path):
    path = tmp_path / "two.npz"
    TwoLayerNet(4, 3, 2).save_params(str(path))
    with pytest.warns(ParamsFileWarning, match="saved from a TwoLayerNet, loaded into a "
                                               "MultiLayerNet"):
        MultiLayerNet(4, [3], 2).load_params(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TwoLayerNet(4, 3, 2).load_params(str(path))  # the same network: silent


def test_save_params_from_the_numpy_backend(tmp_path):
    with fastnet.using_backend("numpy"):
        net = TwoLayerNet(4, 3, 2, weight_init_std=1.0)
        net.save_params(str(tmp_path / "p.npz"))
        again = TwoLayerNet(4, 3, 2)
        again.load_params(str(tmp_path / "p.npz"))
    assert_loaded(again, net.params)
