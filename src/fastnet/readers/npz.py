"""Reading .npz archives without trusting the sizes they declare.

`np.load` allocates each array at the size its header declares before it
reads any data, and a compressed member inflates to whatever it holds, so a
file of a few hundred bytes can ask for gigabytes. This reader compares
every declared size with what the archive can hold (the member's recorded
size, which deflate cannot exceed 1032 times over) and with a cap on the
whole archive before it allocates, and never reads past the declared size.
Pickled object arrays (Keras' IMDB and Reuters) go through the restricted
unpickler of safe_pickle. Every problem is one ValueError naming the file.
"""

import ast
import math
import os
import stat
import zipfile

import numpy as np

from . import safe_pickle
from .streams import DEFLATE_MAX_RATIO, read_up_to

__all__ = ["MAX_BYTES", "NpzReader"]

# Default cap on the bytes of all arrays read from one archive.
MAX_BYTES = 1 << 30
# NumPy writes headers of a few hundred bytes; its own reader stops at 10000.
_MAX_HEADER = 10000
_MAGIC = b"\x93NUMPY"


class NpzReader:
    """The arrays of one .npz archive, each checked before it is allocated.

    with NpzReader(path, max_bytes) as npz:
        npz.names                     # the arrays' names, in the archive's order
        npz.header("W1")              # (shape, dtype), from the header alone
        npz.data_size("W1")           # bytes of data after the header
        npz.array("W1")               # the array; object arrays need `objects`
    """

    def __init__(self, path, max_bytes=MAX_BYTES):
        self.path = os.fspath(path)
        self.budget = max_bytes
        if not stat.S_ISREG(os.stat(self.path).st_mode):  # /dev/zero would never end
            raise ValueError(f"{self.path}: not a regular file")
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise ValueError(f"{self.path}: not a .npz archive ({exc})") from None
        self.members = {}
        for info in self.zip.infolist():
            name = info.filename
            self.members[name[:-4] if name.endswith(".npy") else name] = info
        self.names = list(self.members)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()

    def fail(self, problem):
        return ValueError(f"{self.path}: {problem}")

    def header(self, name):
        """(shape, dtype) of array `name`, read from its header only."""
        with self._open(name) as f:
            shape, dtype, _, _ = self._read_header(name, f)
        return shape, dtype

    def data_size(self, name):
        """Bytes that follow array `name`'s header in its entry (an honest entry holds
        exactly its shape times its item size)."""
        with self._open(name) as f:
            header_bytes = self._read_header(name, f)[3]
        return self.members[name].file_size - header_bytes

    def array(self, name, objects=None):
        """Array `name`; `objects`: the globals its pickle may use (None: no object arrays)."""
        with self._open(name) as f:
            shape, dtype, fortran, _ = self._read_header(name, f)
            if dtype.hasobject:
                return self._object_array(name, f, shape, objects)
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes > self.members[name].file_size:
                raise self.fail(f"array {name!r} declares {shape} {dtype} ({nbytes} bytes), "
                                f"more than its {self.members[name].file_size}-byte entry")
            self._spend(name, nbytes)
            data = self._read(f, nbytes, name, into_array=True)
        return data.view(dtype).reshape(shape, order="F" if fortran else "C")

    def _spend(self, name, nbytes):
        if nbytes > self.budget:
            raise self.fail(f"array {name!r} needs {nbytes} bytes, more than the "
                            f"{self.budget} left of this reader's cap (max_bytes)")
        self.budget -= nbytes

    def _object_array(self, name, f, shape, objects):
        if objects is None:
            raise self.fail(f"array {name!r} holds Python objects; only numeric arrays "
                            "are read from this file")
        size = self.members[name].file_size
        self._spend(name, size)
        value = safe_pickle.load(f, f"{self.path} (array {name!r})", size, objects)
        if not isinstance(value, np.ndarray) or value.shape != shape:
            raise self.fail(f"array {name!r} does not match its header")
        return safe_pickle.plain(value)

    def _open(self, name):
        info = self.members.get(name)
        if info is None:
            raise self.fail(f"no array {name!r} (it has {self.names})")
        if info.compress_type == zipfile.ZIP_STORED:
            fits = info.file_size == info.compress_size
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            fits = info.file_size <= info.compress_size * DEFLATE_MAX_RATIO
        else:
            raise self.fail(f"array {name!r} uses a compression NumPy does not write")
        if not fits:
            raise self.fail(f"array {name!r} declares {info.file_size} bytes, more than "
                            f"its {info.compress_size} stored bytes can hold")
        if info.flag_bits & 0x1:  # zipfile would raise RuntimeError asking for a password
            raise self.fail(f"array {name!r} is encrypted; NumPy never writes encrypted "
                            "members")
        try:
            return self.zip.open(info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise self.fail(f"array {name!r} is unreadable ({exc})") from None

    def _read(self, f, size, name, into_array=False):
        try:
            data = read_up_to(f, size) if into_array else f.read(size)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise self.fail(f"array {name!r} is unreadable ({exc})") from None
        if len(data) != size:
            raise self.fail(f"array {name!r} is truncated ({len(data)} of {size} bytes)")
        return data

    def _read_header(self, name, f):
        """(shape, dtype, fortran order, header bytes) of the .npy header: magic,
        version, a little-endian length, a dict literal."""
        start = self._read(f, 8, name)
        if start[:6] != _MAGIC or start[6] not in (1, 2, 3):
            raise self.fail(f"array {name!r} is not a .npy array")
        width = 2 if start[6] == 1 else 4
        length = int.from_bytes(self._read(f, width, name), "little")
        if length > _MAX_HEADER:
            raise self.fail(f"array {name!r} has a {length}-byte header")
        text = self._read(f, length, name).decode("latin-1")
        try:
            fields = ast.literal_eval(text)
            shape = fields["shape"]
            dtype = np.lib.format.descr_to_dtype(fields["descr"])
            fortran = fields["fortran_order"]
        except (ValueError, TypeError, KeyError, SyntaxError, MemoryError,
                RecursionError) as exc:
            raise self.fail(f"array {name!r} has a malformed header ({exc})") from None
        if not (isinstance(shape, tuple) and all(type(d) is int and d >= 0 for d in shape)):
            raise self.fail(f"array {name!r} has a malformed shape {shape!r}")
        if dtype.itemsize == 0:
            raise self.fail(f"array {name!r} has a dtype of no size ({dtype})")
        return shape, dtype, bool(fortran), 8 + width + length
