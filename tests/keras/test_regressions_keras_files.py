"""Regressions from issue 10 (items 9, 11, 14) and the audit of fastnet.keras:
model files and the weights loaded from them.

Each test failed on the code before its fix: model files that allocated what
they declared or raised raw KeyError / TypeError, names resolved with getattr.
"""

import io
import json
import os
import pathlib
import tracemalloc
import zipfile

import numpy as np
import pytest
from _keras_cases import small_model

from fastnet.keras import layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _saved(tmp_path):
    """(config, weights) of a small compiled model, as fastnet saved them."""
    path = tmp_path / "good.keras"
    small_model().save(path)
    with np.load(path, allow_pickle=False) as f:
        return json.loads(str(f["config"])), [f[f"weight_{i:03d}"] for i in range(4)]


def _write(path, config, weights, extra=None):
    """A model file built by hand: np.savez, as fastnet writes one."""
    arrays = {f"weight_{i:03d}": w for i, w in enumerate(weights)}
    text = config if isinstance(config, np.ndarray) else np.array(json.dumps(config))
    with open(path, "wb") as f:
        np.savez(f, config=text, **arrays, **(extra or {}))
    return path


def _load_refused(path, *fields):
    with pytest.raises(ValueError) as caught:
        models.load_model(path)
    assert type(caught.value) is ValueError
    for text in (str(path), *fields):
        assert text in str(caught.value), (text, str(caught.value))


@pytest.mark.parametrize("name", ["np", "__loader__", "current", "mse"])
def test_load_model_resolves_the_loss_through_a_registry_only(tmp_path, name):
    config, weights = _saved(tmp_path)
    config["compile"]["loss"] = name
    _load_refused(_write(tmp_path / "m.keras", config, weights), "compile.loss",
                  "allowed", "MeanSquaredError")


def test_load_model_refuses_an_unknown_optimizer_with_a_value_error(tmp_path):
    config, weights = _saved(tmp_path)
    config["compile"]["optimizer"]["class_name"] = "os"
    _load_refused(_write(tmp_path / "m.keras", config, weights), "compile.optimizer",
                  "allowed", "rmsprop")


@pytest.mark.parametrize("field, value, where", [
    ("class_name", "Sequential", "model.layers[0]"),
    ("activation", "eval", "model.layers[0]"),
    ("kernel_initializer", "np", "model.layers[0]"),
    ("kernel_regularizer", "os", "model.layers[0]"),
    ("metrics", ["__loader__"], "compile.metrics"),
])
def test_every_name_in_a_model_file_goes_through_a_registry(tmp_path, field, value, where):
    config, weights = _saved(tmp_path)
    layer = config["model"]["layers"][0]
    if field == "class_name":
        layer["class_name"] = value
    elif field == "metrics":
        config["compile"]["metrics"] = value
    else:
        layer["config"][field] = value
    _load_refused(_write(tmp_path / "m.keras", config, weights), where, repr(value[0]
                  if isinstance(value, list) else value))


def test_a_small_file_cannot_make_a_large_model(tmp_path):
    config, _ = _saved(tmp_path)
    config["model"]["input_shape"] = [3000]
    config["model"]["layers"] = [{"class_name": "Dense", "config": {"units": 3000}}]
    path = _write(tmp_path / "big.keras", config, [])
    assert path.stat().st_size < 4096
    tracemalloc.start()
    try:
        _load_refused(path, "need weights of shapes [(3000, 3000), (3000,)]")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000  # the 3000 x 3000 kernel (36 MB) was never allocated


def test_an_array_header_cannot_declare_more_than_the_file_holds(tmp_path):
    config, weights = _saved(tmp_path)
    path = _write(tmp_path / "m.keras", config, weights)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (2**40,)})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("weight_004.npy", header.getvalue())
    _load_refused(path, "weight_004.npy", "declares shape (1099511627776,)")


def _malformed(tmp_path, case):
    config, weights = _saved(tmp_path)
    path = tmp_path / "bad.keras"
    layer = config["model"]["layers"][0]
    if case in ("not a zip", "empty", "truncated"):
        good = (tmp_path / "good.keras").read_bytes()
        path.write_bytes({"not a zip": b"hello", "empty": b"", "truncated": good[:300]}[case])
        return path
    edits = {
        "bad json": lambda: np.array("{"),
        "config is a list": lambda: np.array("[1, 2]"),
        "config is a number": lambda: np.array(3.0),
        "no layers": lambda: config["model"].pop("layers"),
        "layer without config": lambda: layer.pop("config"),
        "units of the wrong type": lambda: layer["config"].update(units="abc"),
        "unknown layer argument": lambda: layer["config"].update(bogus=1),
        "version as text": lambda: config.update(version="1"),
        "no optimizer config": lambda: config["compile"]["optimizer"].pop("config"),
        "metrics as text": lambda: config["compile"].update(metrics="acc"),
        "bad loss config": lambda: config["compile"].update(loss_config={"bogus": 1}),
        "negative input shape": lambda: config["model"].update(input_shape=[-1]),
        "float16 model": lambda: config["model"].update(dtype="float16"),
        "integer weights": lambda: weights.__setitem__(0, weights[0].astype(np.int64)),
        "wrong weight shape": lambda: weights.__setitem__(0, np.zeros((5, 8), np.float32)),
        "missing weight": lambda: weights.pop(),
        "pickled weight": lambda: weights.__setitem__(0, np.array([{}], dtype=object)),
        "compressed": lambda: None,
    }
    edited = edits[case]()
    text = edited if isinstance(edited, np.ndarray) else config
    if case in ("pickled weight", "compressed"):  # fastnet must neither unpickle nor inflate
        with open(path, "wb") as f:
            save = np.savez_compressed if case == "compressed" else np.savez
            save(f, config=np.array(json.dumps(config)), weight_000=weights[0])
        return path
    return _write(path, text, weights)


@pytest.mark.parametrize("case", [
    "not a zip", "empty", "truncated", "bad json", "config is a list", "config is a number",
    "no layers", "layer without config", "units of the wrong type", "unknown layer argument",
    "version as text", "no optimizer config", "metrics as text", "bad loss config",
    "negative input shape", "float16 model", "integer weights", "wrong weight shape",
    "missing weight", "pickled weight", "compressed",
])
def test_a_malformed_model_file_is_one_value_error_naming_it(tmp_path, case):
    _load_refused(_malformed(tmp_path, case))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_file_is_refused_before_it_is_read():
    _load_refused(pathlib.Path("/dev/zero"), "not a regular file")  # zipfile reads it forever


def test_more_than_a_thousand_weights_load_in_their_order(tmp_path):
    model = models.Sequential([layers.Dense(1, use_bias=False, input_shape=(1,))]
                              + [layers.Dense(1, use_bias=False) for _ in range(1000)])
    model.set_weights([np.full((1, 1), i, np.float32) for i in range(1001)])
    model.save(tmp_path / "deep.keras")
    loaded = models.load_model(tmp_path / "deep.keras")
    assert [float(w[0, 0]) for w in loaded.get_weights()] == list(range(1001))


def test_load_weights_names_the_file_when_the_weights_do_not_fit(tmp_path):
    small_model().save_weights(tmp_path / "w.keras")
    other = models.Sequential([layers.Dense(5, input_shape=(4,))])
    with pytest.raises(ValueError, match="w.keras"):
        other.load_weights(tmp_path / "w.keras")
