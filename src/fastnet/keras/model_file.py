"""The container of a saved model: a NumPy .npz archive, read without trusting it.

A model file is a zip archive of .npy members: "config.npy" holds JSON text
(a 0-d unicode array), "weight_000.npy", "weight_001.npy", ... the weights,
"optimizer_000.npy", ... the optimizer's state (its moments), if any.
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

_NUMBERED_MEMBER = re.compile(r"(weight|optimizer)_(\d+)\.npy")


def write(filepath, config, weights, optimizer_arrays=()):
    """Write `config` (JSON-able), the weights and the optimizer's arrays as one .npz file."""
    arrays = {f"weight_{i:03d}": w for i, w in enumerate(weights)}
    arrays.update({f"optimizer_{i:03d}": a for i, a in enumerate(optimizer_arrays)})
    # Through a file object, so NumPy does not append ".npz" to the name.
    with open(filepath, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **arrays)


def read(filepath, optimizer=False):
    """(config dict, [weight arrays]) of a model file, or a ValueError naming the problem.

    optimizer=True: (config, weights, [optimizer arrays]).
    """
    path = os.fspath(filepath)
    size = os.stat(path).st_size  # a missing file stays FileNotFoundError
    with NpzReader(path, max_bytes=size) as npz:
        names = _member_names(npz)
        config = _config(npz)
        arrays = {family: [_array(npz, name, weight=True) for name in members]
                  for family, members in names.items()}
        if optimizer:
            return config, arrays["weight"], arrays["optimizer"]
        return config, arrays["weight"]


def _member_names(npz):
    """{'weight': names in order, 'optimizer': names in order}, every member checked."""
    path, members = npz.path, {}  # {'config.npy': name, ('weight', 0): name, ...}
    for info in npz.zip.infolist():
        match = _NUMBERED_MEMBER.fullmatch(info.filename)
        if info.filename == "config.npy":
            key = "config.npy"
        elif match:
            key = (match.group(1), int(match.group(2)))
        else:
            raise ValueError(
                f"{path}: unexpected member {info.filename!r} (a model file holds "
                f"config.npy, weight_000.npy, ... and optimizer_000.npy, ...)"
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
    names = {}
    for family in ("weight", "optimizer"):
        numbers = sorted(i for f, i in members if f == family)
        if numbers != list(range(len(numbers))):
            raise ValueError(f"{path}: {family} members are not numbered 0, 1, 2, ...: "
                             f"{numbers}")
        names[family] = [members[family, i] for i in numbers]
    return names


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
