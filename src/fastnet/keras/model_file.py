"""The container of a saved model: a NumPy .npz archive, read without trusting it.

A model file is a zip archive of .npy members: "config.npy" holds JSON text
(a 0-d unicode array), "weight_000.npy", "weight_001.npy", ... the weights.
`write` is NumPy's savez. `read` does not call np.load, because np.load
allocates the shape a member's header declares before it reads a byte of
data: a 1 KB file could ask for gigabytes. Instead every header is read
first and its byte count checked against what the archive really holds,
which the file's real size bounds; only then is any array allocated.

Anything wrong with the container (not a zip, truncated, a member that is
not a plain .npy array, pickled objects, sizes that do not add up) is one
ValueError naming the file and the problem. Nothing is ever unpickled.
"""

import json
import os
import re
import stat
import zipfile

import numpy as np

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
    info = os.stat(path)  # a missing file stays FileNotFoundError
    if not stat.S_ISREG(info.st_mode):
        # zipfile would read /dev/zero or a pipe forever.
        raise ValueError(f"{path}: not a model file (not a regular file)")
    size = info.st_size
    try:
        with zipfile.ZipFile(path) as archive:
            members = _members(path, archive, size)
            config = _config(path, archive, members.pop("config.npy"))
            weights = [_array(path, archive, members[i], weight=True)
                       for i in range(len(members))]
    except (zipfile.BadZipFile, EOFError) as err:  # truncated, corrupt or not a zip
        raise ValueError(f"{path}: not a readable model file ({err})") from err
    return config, weights


def _members(path, archive, size):
    """{'config.npy': info, 0: info, 1: info, ...}, each member's sizes checked."""
    members, stored = {}, 0
    for info in archive.infolist():
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
        if info.file_size != info.compress_size:
            raise ValueError(f"{path}: member {info.filename!r} declares inconsistent sizes")
        stored += info.compress_size
        members[key] = info
    if stored > size:
        raise ValueError(
            f"{path}: its members declare {stored} stored bytes but the file has {size}"
        )
    if "config.npy" not in members:
        raise ValueError(f"{path} is not a model saved by fastnet.keras (no config)")
    numbers = sorted(k for k in members if k != "config.npy")
    if numbers != list(range(len(numbers))):
        raise ValueError(f"{path}: weight members are not numbered 0, 1, 2, ...: {numbers}")
    return members


def _config(path, archive, info):
    text = _array(path, archive, info, weight=False)
    try:
        config = json.loads(str(text[()]))
    except (ValueError, RecursionError) as err:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path}: config is not valid JSON ({err})") from err
    if not isinstance(config, dict):
        raise ValueError(f"{path}: config must be a JSON object, got {type(config).__name__}")
    return config


def _array(path, archive, info, weight):
    """One member as an array, its header checked before anything is allocated."""
    name = info.filename
    with archive.open(info) as stream:
        shape, fortran, dtype = _header(path, name, stream)
        header_bytes = stream.tell()
        if weight and dtype.kind != "f":
            raise ValueError(f"{path}: {name} must hold floats, got dtype {dtype}")
        if not weight and (dtype.kind != "U" or shape != ()):
            raise ValueError(
                f"{path}: {name} must hold one text string, got dtype {dtype} shape {shape}"
            )
        count = 1
        for n in shape:
            count *= n
        nbytes = count * dtype.itemsize
        if header_bytes + nbytes != info.file_size:
            raise ValueError(
                f"{path}: {name} declares shape {shape} of {dtype} ({nbytes} bytes) but "
                f"holds {info.file_size - header_bytes} bytes of data"
            )
        data = bytearray(nbytes)  # bounded by the member's checked size
        if stream.readinto(data) != nbytes:
            raise ValueError(f"{path}: {name} is truncated")
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def _header(path, name, stream):
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: {name} is not a plain .npy array ({err})") from err
    if dtype.hasobject:
        raise ValueError(
            f"{path}: {name} holds Python objects; model files are read with "
            f"allow_pickle=False and never unpickle"
        )
    return shape, fortran, dtype
