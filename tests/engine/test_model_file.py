"""net.save / fastnet.load: whole networks in .npz + JSON, and files that must be refused."""

import io
import json
import pickle
import re
import zipfile

import numpy as np
import pytest

import fastnet
from fastnet.nets import DeepConvNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, TwoLayerNet

NETWORKS = {
    "TwoLayerNet": lambda: TwoLayerNet(12, 7, 3, dtype=np.float32),
    "MultiLayerNet": lambda: MultiLayerNet(12, [9, 5], 3, activation="tanh"),
    "MultiLayerNetExtend": lambda: MultiLayerNetExtend(
        12, [8, 6], 3, use_batchnorm=True, use_dropout=True, dtype=np.float32),
    "SimpleConvNet": lambda: SimpleConvNet(
        (1, 10, 10), {"filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1}, 11, 3),
    "DeepConvNet": lambda: DeepConvNet(
        conv_param_2={"filter_num": 8, "filter_size": 3, "pad": 1, "stride": 1},
        hidden_size=12, output_size=3, dtype=np.float32),
}


def sample(net, n=5):
    shape = {SimpleConvNet: (n, 1, 10, 10), DeepConvNet: (n, 1, 28, 28)}.get(type(net), (n, 12))
    return np.random.default_rng(1).standard_normal(shape).astype(net.params["W1"].dtype)


@pytest.mark.parametrize("name", NETWORKS)
def test_round_trip_predicts_the_same(tmp_path, name):
    net = NETWORKS[name]()
    x = sample(net)
    if isinstance(net, MultiLayerNetExtend):  # running statistics that are not the start
        net.predict(x * 3 + 1, train_flg=True)
    net.save(tmp_path / "m.fnet", classes=["a", "b", "c"])
    state = np.random.get_state()[1].copy()
    loaded = fastnet.load(tmp_path / "m.fnet")
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # the user's RNG untouched
    assert type(loaded) is type(net) and loaded.classes == ["a", "b", "c"]
    assert loaded.input_shape == sample(net, 1).shape[1:]
    for key, value in net.params.items():
        assert loaded.params[key].dtype == value.dtype
        np.testing.assert_array_equal(loaded.params[key], value)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))


def test_default_class_names_and_float64(tmp_path):
    net = MultiLayerNet(4, [3], 2)
    net.save(tmp_path / "m.fnet")
    loaded = fastnet.load(tmp_path / "m.fnet")
    assert loaded.classes == ["0", "1"] and loaded.params["W1"].dtype == np.float64


def test_save_refuses_what_it_cannot_store(tmp_path):
    with pytest.raises(ValueError, match="2 class names for a network with 3 outputs"):
        TwoLayerNet(4, 3, 3).save(tmp_path / "m.fnet", classes=["x", "y"])
    from fastnet.scratch.ch04 import TwoLayerNet as Chapter4Net
    with pytest.raises(TypeError, match="cannot be saved as a model file"):
        Chapter4Net(4, 3, 3).save(tmp_path / "m.fnet")


def saved(tmp_path, net=None):
    path = tmp_path / "good.fnet"
    (net or TwoLayerNet(4, 3, 2)).save(path)
    return path


def members(path):
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def rewrite(path, members_, compression=zipfile.ZIP_STORED):
    out = path.with_name("bad.fnet")
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in members_.items():
            z.writestr(name, data)
    return out


def with_config(tmp_path, change):
    path = saved(tmp_path)
    parts = members(path)
    with zipfile.ZipFile(path) as z, z.open("config.npy") as f:
        config = json.loads(str(np.lib.format.read_array(f)))
    change(config)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array(json.dumps(config)))
    parts["config.npy"] = buf.getvalue()
    return rewrite(path, parts)


def refused(path, message):
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + message):
        fastnet.load(path)


def test_not_a_zip_and_truncated(tmp_path):
    path = tmp_path / "junk.fnet"
    path.write_bytes(b"hello, not a model")
    refused(path, "not a .npz archive")
    good = saved(tmp_path).read_bytes()
    path.write_bytes(good[: len(good) // 2])
    refused(path, "not a .npz archive")


def test_pickle_bearing_files_are_never_unpickled(tmp_path):
    path = tmp_path / "evil.fnet"
    path.write_bytes(pickle.dumps({"W1": np.zeros(3)}))
    refused(path, "not a .npz archive")
    parts = members(saved(tmp_path))
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.full((4, 3), print, dtype=object),
                               allow_pickle=True)
    parts["W1.npy"] = buf.getvalue()
    refused(rewrite(tmp_path / "x", parts), r"'W1' is \(4, 3\) object")


def test_foreign_archives(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, W1=np.zeros(3))
    refused(path, "no config")
    net = TwoLayerNet(4, 3, 2)
    net.save_params(tmp_path / "params.npz")
    refused(tmp_path / "params.npz", "a params file")
    refused(with_config(tmp_path, lambda c: c.update(format="fastnet.keras")),
            "fastnet.keras model")


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(network="os.system"), "unknown network 'os.system'"),
    # A list or object was TypeError: unhashable type, without the file's name.
    (lambda c: c.update(network=["MultiLayerNet"]), r"unknown network \['MultiLayerNet'\]"),
    (lambda c: c.update(network={"a": 1}), r"unknown network \{'a': 1\}"),
    (lambda c: c.update(version=99), "version 99"),
    (lambda c: c.update(version=True), "version True"),  # was read as version 1
    (lambda c: c.update(dtype="object"), "dtype 'object'"),
    (lambda c: c.update(classes=[1, 2]), "classes are not a list of names"),
    (lambda c: c.update(classes=["only one"]), "1 class names for 2 outputs"),
    (lambda c: c["arguments"].update(hidden_size=10**9), r"array 'W1' is \(4, 3\)"),
    (lambda c: c["arguments"].update(hidden_size="many"), "hidden_size must be an integer"),
    (lambda c: c["arguments"].update(surprise=1), "unexpected keyword argument"),
])
def test_configs_that_lie(tmp_path, change, message):
    refused(with_config(tmp_path, change), message)


def test_compressed_or_extra_members(tmp_path):
    path = saved(tmp_path)
    refused(rewrite(path, members(path), zipfile.ZIP_DEFLATED), "compressed")
    parts = members(path)
    parts["extra.npy"] = parts["b1.npy"]
    refused(rewrite(path, parts), "arrays the network does not have")
