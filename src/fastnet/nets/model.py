"""A whole network in one file: `net.save("digits.fnet")`, `fastnet.load("digits.fnet")`.

Unlike save_params (files.py), which stores the parameters of a network the
reader must build first, a model file holds everything needed to rebuild
it: the class, its constructor's arguments, the dtype, the input shape, the
class names, the parameters and the batch norms' running statistics. It is
a NumPy .npz archive written by np.savez (members uncompressed) holding
"config", JSON text:

    {"format": "fastnet.model", "version": 1, "network": "MultiLayerNet",
     "arguments": {"input_size": 784, "hidden_size_list": [100], ...},
     "dtype": "float32", "input_shape": [784], "classes": ["0", ..., "9"],
     "arrays": {"W1": [784, 100], ...}}

and one member per array. Loading trusts none of it: the archive is read
through fastnet.readers.NpzReader with the file's own size as the cap, the
network must be one of the classes registered here, the shapes its
arguments imply (shapes.py, arithmetic only) must equal the arrays the file
holds before the network is built, and nothing is unpickled. Any problem is
one ValueError naming the file.
"""

import functools
import inspect
import json
import os
import zipfile

import numpy as np

from ..backend import current
from ..device import to_numpy
from ..readers import NpzReader

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "running_statistics", "save", "saveable"]

FORMAT = "fastnet.model"
FORMAT_VERSION = 1
_REGISTRY = {}  # class name -> (class, shapes function)
_FLOAT_DTYPES = ("float32", "float64")


def saveable(shapes):
    """Class decorator: register a network for model files and record its
    constructor's arguments (defaults filled in) as `net._arguments`.
    `shapes(arguments)` gives its parameter shapes without building it."""
    def register(cls):
        init = cls.__init__
        signature = inspect.signature(init)

        @functools.wraps(init)
        def recording_init(self, *args, **kwargs):
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            self._arguments = dict(list(bound.arguments.items())[1:])
            init(self, *args, **kwargs)

        cls.__init__ = recording_init
        _REGISTRY[cls.__name__] = (cls, shapes)
        return cls
    return register


def _json_value(value, where):
    """`value` as JSON: tuples become lists; anything JSON cannot hold is an error."""
    if isinstance(value, (list, tuple)):
        return [_json_value(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v, where) for k, v in value.items()}
    if isinstance(value, (bool, str, type(None))):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    raise TypeError(f"save: argument {where} is a {type(value).__name__}, which a model "
                    "file cannot store")


def running_statistics(net):
    """{name: array} of what a network holds beyond its params: batch norms' statistics,
    named as in a model file."""
    state = {}
    for i, layer in _batch_norms(net):
        if layer.running_mean is not None:  # None until a forward pass in training mode
            state[f"running_mean{i}"] = layer.running_mean
            state[f"running_var{i}"] = layer.running_var
    return state


def save(net, path, classes=None):
    """Write `net` to `path` (any name; ".fnet" is the convention). `classes`: names for
    the outputs, in order (default "0", "1", ...)."""
    name = type(net).__name__
    if _REGISTRY.get(name, (None,))[0] is not type(net):
        raise TypeError(f"save: a {name} cannot be saved as a model file (it saves "
                        f"{sorted(_REGISTRY)}); save_params() writes its parameters")
    arguments = {k: _json_value(v, k) for k, v in net._arguments.items() if k != "dtype"}
    outputs = net.params[f"b{_last_index(net)}"].shape[0]
    classes = [str(i) for i in range(outputs)] if classes is None else [str(c) for c in classes]
    if len(classes) != outputs:
        raise ValueError(f"save: {len(classes)} class names for a network with {outputs} "
                         "outputs")
    arrays = {k: to_numpy(v) for k, v in {**net.params, **running_statistics(net)}.items()}
    config = {"format": FORMAT, "version": FORMAT_VERSION, "network": name,
              "arguments": arguments, "dtype": net.params["W1"].dtype.name,
              "input_shape": list(_input_shape(arguments)), "classes": classes,
              "arrays": {k: list(v.shape) for k, v in arrays.items()}}
    # Through a file object, so NumPy does not append ".npz" to the name.
    with open(path, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **arrays)


def _last_index(net):
    return max(int(k[1:]) for k in net.params if k.startswith("W"))


def _input_shape(arguments):
    if "input_dim" in arguments:
        return tuple(arguments["input_dim"])
    return (arguments["input_size"],)


def load(path):
    """The network saved by `save`, rebuilt on the current backend (see the module docstring).

    It carries `classes` (output names) and `input_shape` (one sample's shape).
    """
    path = os.fspath(path)
    size = os.stat(path).st_size  # a missing file stays FileNotFoundError
    with NpzReader(path, max_bytes=size) as npz:
        _check_members(npz)
        config = _config(npz)
        cls, shapes_of = _REGISTRY[config["network"]]
        arguments = config["arguments"]
        try:
            expected = shapes_of(arguments)
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise ValueError(f"{path}: arguments of {config['network']}: {exc}") from None
        for i in range(1, 1 + sum(k.startswith("gamma") for k in expected)):
            expected[f"running_mean{i}"] = expected[f"running_var{i}"] = expected[f"gamma{i}"]
        outputs = expected[f"b{max(int(k[1:]) for k in expected if k.startswith('W'))}"][0]
        if len(config["classes"]) != outputs:
            raise npz.fail(f"{len(config['classes'])} class names for {outputs} outputs")
        arrays = _arrays(npz, expected)
    net = _build(path, cls, arguments, config["dtype"])
    _fill(net, arrays)
    net.classes, net.input_shape = config["classes"], _input_shape(arguments)
    return net


def _check_members(npz):
    for info in npz.zip.infolist():
        # np.savez stores members uncompressed: then no array can hold more than the file.
        if info.compress_type != zipfile.ZIP_STORED:
            raise npz.fail(f"member {info.filename!r} is compressed; model files store "
                           "their arrays uncompressed (np.savez)")
    if "config" not in npz.names:
        raise npz.fail("not a fastnet model file (no config)")


def _config(npz):
    shape, dtype = npz.header("config")
    if shape != () or dtype.kind != "U":
        raise npz.fail("its config is not JSON text")
    try:
        config = json.loads(str(npz.array("config")))
    except (ValueError, RecursionError) as exc:
        raise npz.fail(f"its config is not JSON ({exc})") from None
    kind = config.get("format") if isinstance(config, dict) else None
    if kind == "fastnet.nets":
        raise npz.fail("a params file (save_params), not a model file: build the network "
                       "and call its load_params")
    if kind == "fastnet.keras":
        raise npz.fail("a fastnet.keras model: load it with fastnet.keras.models.load_model")
    if kind != FORMAT:
        raise npz.fail(f"not a fastnet model file (format {kind!r})")
    version, network = config.get("version"), config.get("network")
    # Types first: JSON's true equals 1, and a list or object cannot be looked up in
    # _REGISTRY (TypeError: unhashable, without the file's name).
    if type(version) is not int or version != FORMAT_VERSION:
        raise npz.fail(f"model file version {version!r}; this fastnet reads "
                       f"version {FORMAT_VERSION}")
    if not isinstance(network, str) or network not in _REGISTRY:
        raise npz.fail(f"unknown network {network!r} (model files hold "
                       f"{sorted(_REGISTRY)})")
    if not isinstance(config.get("arguments"), dict):
        raise npz.fail("its arguments are not a JSON object")
    if config.get("dtype") not in _FLOAT_DTYPES:
        raise npz.fail(f"dtype {config.get('dtype')!r} is not one of {_FLOAT_DTYPES}")
    classes = config.get("classes")
    if not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise npz.fail("its classes are not a list of names")
    return config


def _arrays(npz, expected):
    """{name: array} of every expected array, each header compared before it is read."""
    names = set(npz.names) - {"config"}
    if not names <= set(expected):
        raise npz.fail(f"arrays the network does not have: {sorted(names - set(expected))}")
    arrays = {}
    for name, shape in expected.items():
        if name not in names:
            if name.startswith("running_"):  # a batch norm never trained: none saved
                continue
            raise npz.fail(f"no array {name!r}")
        found, dtype = npz.header(name)
        if tuple(found) != tuple(shape) or dtype.kind != "f":
            raise npz.fail(f"array {name!r} is {tuple(found)} {dtype}; the network needs "
                           f"{tuple(shape)} floats")
        arrays[name] = npz.array(name)
    return arrays


def _build(path, cls, arguments, dtype):
    # The constructor draws initial weights from NumPy's global generator, which the
    # loaded parameters replace: leave the user's random state as it was.
    random_state = np.random.get_state()
    try:
        return cls(**arguments, dtype=np.dtype(dtype))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: cannot build {cls.__name__}: {exc}") from None
    finally:
        np.random.set_state(random_state)


def _batch_norms(net):
    """(i, layer) of every BatchNorm{i} layer (MultiLayerNetExtend's, when it has them)."""
    layers = net.layers.items() if isinstance(net.layers, dict) else ()
    return [(name[len("BatchNorm"):], layer) for name, layer in layers
            if name.startswith("BatchNorm")]


def _fill(net, arrays):
    xp = current().xp
    for name, param in net.params.items():
        param[...] = xp.asarray(arrays[name], dtype=param.dtype)
    for i, layer in _batch_norms(net):
        if f"running_mean{i}" in arrays:
            dtype = net.params[f"gamma{i}"].dtype
            layer.running_mean = xp.asarray(arrays[f"running_mean{i}"], dtype=dtype)
            layer.running_var = xp.asarray(arrays[f"running_var{i}"], dtype=dtype)
