"""The container of a saved model: a NumPy .npz archive, read without trusting it.

A model file is a zip archive of .npy members: "config.npy" holds JSON text
(a 0-d unicode array), "weight_000.npy", "weight_001.npy", ... the weights.
`write` is NumPy's savez. `read` does not call np.load, because np.load
allocates the shape a member's header declares before it reads a byte of
data: a 1 KB file could ask for gigabytes. It reads through
fastnet.readers.NpzReader, which checks every header against what the
archive holds before it allocates; what is particular to model files is
checked here: the member names, members stored uncompressed (so that
together they never hold more than the file, the reader's cap), float
weights, each member holding exactly the bytes its header declares, and
the config's JSON.

Anything wrong with the container (not a zip, truncated, a member that is
not a plain .npy array, pickled objects, sizes that do not add up) is one
ValueError naming the file and the problem. Nothing is ever unpickled.
"""

import json
import math
import os
import re
import zipfile

import numpy as np

from ..readers import NpzReader

__all__ = ["read", "write"]

_WEIGHT_MEMBER = re.compile(r"weight_(\d+)\.npy")


def write(filepath, config, weights):
    """Write `config` (JSON-able) and the weight arrays as one .npz file."""
    arrays = {f"weight_{i:03d}": w for i, w in enumerate(weights)}
    # Through a file object, so NumPy does not append ".npz" to the name.
    with open(filepath, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **arrays)


def read(filepath):
    """(config dict, [weight arrays]) of a model file, or a ValueError naming the problem."""
    path = os.fspath(filepath)
    size = os.stat(path).st_size  # a missing file stays FileNotFoundError
    with NpzReader(path, max_bytes=size) as npz:
        weights = _weight_names(npz)
        config = _config(npz)
        return config, [_array(npz, name, weight=True) for name in weights]


def _weight_names(npz):
    """The weights' array names ('weight_000', ...) in order, every member checked."""
    path, members = npz.path, {}  # {'config.npy': name, 0: name, 1: name, ...}
    for info in npz.zip.infolist():
        match = _WEIGHT_MEMBER.fullmatch(info.filename)
        if info.filename == "config.npy":
            key = "config.npy"
        elif match:
            key = int(match.group(1))
        else:
            raise ValueError(
                f"{path}: unexpected member {info.filename!r} (a model file holds "
                f"config.npy and weight_000.npy, weight_001.npy, ...)"
            )
        if key in members:
            raise ValueError(f"{path}: member {info.filename!r} appears twice")
        # np.savez stores members uncompressed; refusing compression keeps
        # every array's size bounded by the file's own size, not a ratio.
        if info.compress_type != zipfile.ZIP_STORED:
            raise ValueError(f"{path}: member {info.filename!r} is compressed; model files "
                             f"store their arrays uncompressed (np.savez)")
        if info.flag_bits & 0x1:
            raise ValueError(f"{path}: member {info.filename!r} is encrypted")
        members[key] = info.filename[:-len(".npy")]  # NpzReader's name of the array
    if members.pop("config.npy", None) is None:
        raise ValueError(f"{path} is not a model saved by fastnet.keras (no config)")
    numbers = sorted(members)
    if numbers != list(range(len(numbers))):
        raise ValueError(f"{path}: weight members are not numbered 0, 1, 2, ...: {numbers}")
    return [members[i] for i in numbers]


def _config(npz):
    text = _array(npz, "config", weight=False)
    try:
        config = json.loads(str(text[()]))
    except (ValueError, RecursionError) as err:  # JSONDecodeError is a ValueError
        raise ValueError(f"{npz.path}: config is not valid JSON ({err})") from err
    if not isinstance(config, dict):
        raise ValueError(
            f"{npz.path}: config must be a JSON object, got {type(config).__name__}")
    return config


def _array(npz, name, weight):
    """One member as an array, its header checked before anything is allocated."""
    path, member = npz.path, f"{name}.npy"
    shape, dtype = npz.header(name)
    if dtype.hasobject:
        raise ValueError(
            f"{path}: {member} holds Python objects; model files are read with "
            f"allow_pickle=False and never unpickle"
        )
    if weight and dtype.kind != "f":
        raise ValueError(f"{path}: {member} must hold floats, got dtype {dtype}")
    if not weight and (dtype.kind != "U" or shape != ()):
        raise ValueError(
            f"{path}: {member} must hold one text string, got dtype {dtype} shape {shape}"
        )
    nbytes = math.prod(shape) * dtype.itemsize
    held = npz.data_size(name)
    if nbytes != held:
        raise ValueError(
            f"{path}: {member} declares shape {shape} of {dtype} ({nbytes} bytes) but "
            f"holds {held} bytes of data"
        )
    return npz.array(name)
