"""Regressions from the second audit of fastnet.keras: bad input, crafted model files.

Each test failed on the code before its fix: a deep functional model raised a
bare RecursionError, a tiny file's pool_size asked NumPy for 96 GiB, an
AUC's num_thresholds reached np.bincount, and an Embedding id above 2**24 was
silently rounded to another row by a float32 model's input.
"""

import contextlib
import json

import numpy as np
import pytest

from fastnet import keras
from fastnet.keras import config, model_file, models, saving_graph, utils

L = keras.layers


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _relu_chain(depth):
    """(input, output) tensors of an Input followed by `depth` relu layers."""
    x = inp = keras.Input((4,))
    for _ in range(depth):
        x = L.Activation("relu")(x)
    return inp, x


def _rewritten(path, change, optimizer=False):
    """The model file at `path`, its config changed by `change(config)`, written back."""
    if optimizer:
        cfg, weights, state = model_file.read(path, optimizer=True)
        assert not state
    else:
        cfg, weights = model_file.read(path)
    change(cfg)
    with open(path, "wb") as f:
        np.savez(f, config=np.array(json.dumps(cfg)),
                 **{f"weight_{i:03d}": w for i, w in enumerate(weights)})
    return path


# ------------------------------------------------------------ 1. deep functional models


def test_a_deep_functional_chain_builds_in_code_and_runs():
    model = keras.Model(*_relu_chain(3000))  # the recursive walk stopped near 1,000
    assert len(model.layers) == 3001
    x = np.array([[-1.0, 0.0, 2.0, 3.5]], np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), np.maximum(x, 0))


def test_a_deep_functional_model_file_loads(tmp_path):
    inp, x = _relu_chain(3000)
    model = keras.Model(inp, L.Dense(2)(x))
    path = tmp_path / "deep.keras"
    model.save(path)
    loaded = models.load_model(path)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    x = np.random.rand(3, 4).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_saved_graph_is_resolved_in_waves_of_the_config_order():
    # The order the quadratic resolution gave, kept by the linear one. Two
    # branches of different lengths: each call comes once its inputs are known,
    # calls made computable together keep the order the file lists them.
    inp = keras.Input((3,), name="i")
    a1 = L.Activation("relu", name="a1")(inp)
    a2 = L.Activation("relu", name="a2")(a1)
    b1 = L.Activation("relu", name="b1")(inp)
    out = L.Add(name="add")([a2, b1])
    spec = keras.Model(inp, out).get_config()
    layers = spec["layers"]
    spec["layers"] = [layers[i] for i in (0, 4, 3, 2, 1)]  # any order of the list
    graph = saving_graph.read_graph(spec, [], _field, _expect)
    names = [layer.name for layer, _, _ in graph.calls]
    assert names.index("a1") < names.index("a2") < names.index("add")
    assert names.index("b1") < names.index("add")
    listed = [item["config"]["name"] for item in spec["layers"]]
    first_wave = [n for n in listed if n in ("a1", "b1")]
    assert [n for n in names if n in ("a1", "b1")] == first_wave


def _field(where):
    return contextlib.nullcontext()


def _expect(ok, what, value):
    if not ok:
        raise ValueError(f"must be {what}, got {value!r}")


def test_a_failure_while_building_a_loaded_graph_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "f.keras"
    keras.Model(*_relu_chain(2)).save(path)

    def too_deep(self, model_class):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(saving_graph.Graph, "build", too_deep)
    with pytest.raises(ValueError, match="f.keras: model: maximum recursion"):
        models.load_model(path)


# ------------------------------------------------------------ 2. pool and kernel sizes


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
@pytest.mark.parametrize("pool", [[1, 2**31], [1, 2**29]])
def test_a_small_file_cannot_declare_a_pool_that_pads_to_gigabytes(tmp_path, kind, pool):
    # [1, 2**31]: the window alone is too big; [1, 2**29]: its padding is.
    path = tmp_path / "pool.keras"
    keras.Sequential([keras.Input((6, 6, 1)), getattr(L, kind)(2, padding="same")]).save(path)

    def change(cfg):
        cfg["model"]["layers"][-1]["config"]["pool_size"] = pool

    _rewritten(path, change)
    with pytest.raises(ValueError, match=rf"pool\.keras: .*{kind}.*pool_size.*2\*\*31"):
        models.load_model(path)


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
def test_a_pool_window_of_2_to_the_62_is_refused_when_made(kind):
    with pytest.raises(ValueError, match=rf"{kind} 'big': pool_size .* fewer than 2\*\*31"):
        getattr(L, kind)(2**62, padding="same", name="big")


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
def test_same_padding_past_2_to_the_31_pixels_is_refused_when_built(kind):
    pool = getattr(L, kind)((1, 2**29), padding="same", name="wide")
    with pytest.raises(ValueError, match=r"'wide': pool_size \(1, 536870912\) with "
                                         r"padding='same' pads each 6x6 image to"):
        keras.Sequential([keras.Input((6, 6, 1)), pool])


def test_conv2d_kernel_sizes_are_bounded_like_pool_sizes():
    with pytest.raises(ValueError, match=r"Conv2D 'c': kernel_size .* fewer than 2\*\*31"):
        L.Conv2D(1, (1, 2**31), padding="same", name="c")
    conv = L.Conv2D(1, (1, 2**29), padding="same", name="c2")
    with pytest.raises(ValueError, match=r"'c2': kernel_size \(1, 536870912\) with "
                                         r"padding='same'"):
        keras.Sequential([keras.Input((6, 6, 1)), conv])  # before any kernel is allocated


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
def test_a_same_pool_a_little_larger_than_the_image_still_works(kind):
    model = keras.Sequential([keras.Input((6, 6, 1)), getattr(L, kind)(8, padding="same")])
    x = np.arange(36, dtype=np.float32).reshape(1, 6, 6, 1)
    expected = 35.0 if kind == "MaxPooling2D" else 17.5
    np.testing.assert_allclose(model.predict(x, verbose=0).ravel(), [expected])


# ------------------------------------------------------------ 3. AUC thresholds


@pytest.mark.parametrize("n", [10**6 + 1, 10**12, 2**70])
def test_auc_refuses_absurd_num_thresholds(n):
    with pytest.raises(ValueError, match=r"num_thresholds must be an integer in \[2, "
                                         r"1,000,000\]"):
        keras.metrics.AUC(num_thresholds=n)


def test_auc_takes_up_to_a_million_thresholds():
    assert keras.metrics.AUC(num_thresholds=10**6).num_thresholds == 10**6


def test_a_model_file_cannot_declare_a_huge_auc(tmp_path):
    path = tmp_path / "auc.keras"
    model = keras.Sequential([keras.Input((4,)), L.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[keras.metrics.AUC()])
    model.save(path)

    def change(cfg):
        cfg["compile"]["metrics"] = [{"class_name": "AUC", "config": {
            "name": "auc", "num_thresholds": 10**12}}]

    _rewritten(path, change, optimizer=True)
    with pytest.raises(ValueError, match=r"auc\.keras: compile\.metrics: .*num_thresholds"):
        models.load_model(path)


# ------------------------------------------------------------ 4. Embedding ids and float32


def test_a_float32_model_refuses_an_embedding_its_input_cannot_index_exactly():
    # Before: built, and predict([[2**24 + 1]]) silently returned row 2**24.
    with pytest.raises(ValueError, match=r"Embedding 'e': input_dim 16,777,224 .* float32 "
                                         r"model .* float64"):
        keras.Sequential([keras.Input((1,)), L.Embedding(2**24 + 8, 1, name="e")])


def test_an_id_rounded_by_a_float32_input_is_refused_saying_so():
    model = keras.Sequential([keras.Input((1,)), L.Embedding(2**24, 1, name="e")])
    with pytest.raises(ValueError, match=r"got 16777216 \(as the model's float32 input "
                                         r"holds it, which rounds ids this large\)"):
        model.predict(np.array([[2**24 + 1]]), verbose=0)


def test_a_float64_model_looks_up_ids_above_2_to_the_24_exactly():
    config.set_floatx("float64")
    try:
        model = keras.Sequential([keras.Input((1,)), L.Embedding(2**24 + 8, 1)])
    finally:
        config.set_floatx("float32")
    table = model.layers[0].embeddings
    out = model.predict(np.array([[2**24 + 1]]), verbose=0).ravel()[0]
    assert out == table[2**24 + 1, 0] != table[2**24, 0]
