"""A network's parameters on disk: fastnet's .npz + JSON, or the book's pickle.

Writing (`save`), the file name decides:

- a name ending in .pkl or .pickle: the book's format, a pickled dict
  {name: NumPy array}, which the book's own code can read;
- any other name: a NumPy .npz archive holding each parameter under its name
  (`np.load(path)["W1"]` reads one back) and "config", JSON text:
  {"format": "fastnet.nets", "version": 1, "network": "TwoLayerNet",
   "params": {"W1": {"shape": [784, 50], "dtype": "float32"}, ...}}.
  No pickle is involved. Later versions may add keys (the architecture, the
  input shape); readers ignore keys they do not know.

Reading (`load`), the content decides: a zip archive is an .npz, anything
else is taken for the book's pickle. Pickles are read by fastnet.readers.safe_pickle,
which admits NumPy arrays and nothing else, so a crafted file cannot run
code. Every parameter is checked against the network (names, shapes, a
floating-point dtype) before any is copied; what does not fit is one
ValueError naming the file and each difference, and parameters the network
does not have are ignored with a ParamsFileWarning.
"""

import json
import os
import pickle
import warnings

import numpy as np

from ..backend import current
from ..device import to_numpy
from ..readers import NpzReader, safe_pickle

__all__ = ["FORMAT", "FORMAT_VERSION", "ParamsFileWarning", "load", "save"]

FORMAT = "fastnet.nets"
FORMAT_VERSION = 1
PICKLE_SUFFIXES = (".pkl", ".pickle")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
# The config's own cap: JSON text of a few hundred bytes per parameter.
_CONFIG_BYTES = 1 << 24


class ParamsFileWarning(UserWarning):
    """A params file does not quite match the network it is loaded into."""


def save(params, file_name, network=None):
    """Write `params` ({name: array}) to `file_name`; `network` names the class in the config."""
    host = {key: to_numpy(val) for key, val in params.items()}
    if os.fspath(file_name).lower().endswith(PICKLE_SUFFIXES):
        with open(file_name, "wb") as f:
            pickle.dump(host, f)
        return
    if "config" in host:
        raise ValueError("a parameter named 'config' cannot be saved to .npz (the name is taken)")
    config = {"format": FORMAT, "version": FORMAT_VERSION, "network": network,
              "params": {key: {"shape": list(val.shape), "dtype": val.dtype.name}
                         for key, val in host.items()}}
    # Through a file object, so NumPy does not append ".npz" to the name.
    with open(file_name, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **host)


def load(params, file_name, network=None):
    """Copy the arrays of `file_name` INTO `params`, in place (see the module docstring).

    In place, so every layer's reference stays valid and the network keeps
    its dtype. `network` (a class name) is compared with the file's.
    """
    path = os.fspath(file_name)
    with open(path, "rb") as f:
        is_zip = f.read(4) in _ZIP_MAGIC
    if is_zip:
        arrays = _load_npz(params, path, network)
    else:
        arrays = _load_pickle(params, path)
    xp = current().xp
    for key, param in params.items():
        param[...] = xp.asarray(arrays[key], dtype=param.dtype)


def _load_pickle(params, path):
    with open(path, "rb") as f:
        loaded = safe_pickle.load(f, path, os.fstat(f.fileno()).st_size)
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise ValueError(f"{path}: not a params file: it holds a {type(loaded).__name__}, "
                         "not a dict of arrays")
    arrays = {key: safe_pickle.plain(value) for key, value in loaded.items()}
    for key, value in arrays.items():
        if not isinstance(value, np.ndarray):
            raise ValueError(f"{path}: {key} is a {type(value).__name__}, not an array")
    _check(params, path, {key: (a.shape, a.dtype) for key, a in arrays.items()})
    return arrays


def _load_npz(params, path, network):
    # Cap: the network's own size (at most 16 bytes per float) and the config.
    cap = sum(int(p.size) for p in params.values()) * 16 + _CONFIG_BYTES
    with NpzReader(path, max_bytes=cap) as npz:
        names = [name for name in npz.names if name != "config"]
        if "config" in npz.names:
            _check_config(npz, path, network)
        _check(params, path, {name: npz.header(name) for name in names})
        return {key: npz.array(key) for key in params}


def _check_config(npz, path, network):
    shape, dtype = npz.header("config")
    if shape != () or dtype.kind != "U":
        raise ValueError(f"{path}: its 'config' is not JSON text")
    try:
        config = json.loads(str(npz.array("config")))
    except ValueError as exc:
        raise ValueError(f"{path}: its 'config' is not JSON ({exc})") from None
    kind = config.get("format") if isinstance(config, dict) else None
    if kind != FORMAT:
        raise ValueError(f"{path}: not a fastnet.nets params file (format {kind!r})")
    version = config.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{path}: format version {version!r}; this fastnet reads "
                         f"version {FORMAT_VERSION} and older")
    saved_by = config.get("network")
    if network and saved_by and saved_by != network:
        warnings.warn(ParamsFileWarning(
            f"{path} was saved from a {saved_by}, loaded into a {network}"), stacklevel=5)


def _check(params, path, found):
    """Compare {name: (shape, dtype)} of a file with the network's params."""
    problems = [f"no parameter {key!r}" for key in params if key not in found]
    for key, param in params.items():
        if key not in found:
            continue
        shape, dtype = found[key]
        if tuple(shape) != tuple(param.shape):
            problems.append(f"{key} has shape {tuple(shape)}, the network needs "
                            f"{tuple(param.shape)}")
        elif dtype.kind != "f":
            problems.append(f"{key} is {dtype}, not floating point")
    if problems:
        raise ValueError(f"{path} does not fit this network: " + "; ".join(problems)
                         + f" (the file has {sorted(found)})")
    extra = sorted(set(found) - set(params))
    if extra:
        warnings.warn(ParamsFileWarning(
            f"{path} has parameters this network does not have, ignored: {extra}"),
            stacklevel=5)
