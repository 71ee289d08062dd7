"""Reading pickled NumPy arrays without running code.

Pickle rebuilds objects by calling whatever functions the file names, so a
crafted file can run `os.system` while it loads. The book saves a network's
parameters with pickle (a dict of NumPy arrays), and Keras stores the IMDB
and Reuters reviews as pickled object arrays, so fastnet still reads such
files, with this unpickler: it admits only the globals NumPy's own arrays
are rebuilt from (NumPy 1.x's `numpy.core` and 2.x's `numpy._core` names,
pickle protocols 0 to 5) and refuses any other with a ValueError naming the
file and the global.

The admitted globals are replaced by checked versions, because even they
can be made to allocate far more than a file holds: NumPy's `_reconstruct`
allocates whatever shape it is given before it sees any data, and a call
the file repeats through pickle's memo (a few bytes each) builds a new copy
each time. So every array, byte string and list built here is charged to
a budget of twice the file's size: an honest pickle holds each array's
data once, built at most twice (protocols 0-2 store it as text, which
becomes bytes, which become the array), so it never runs out.
"""

import math
import pickle
from functools import partial

import numpy as np

__all__ = ["ARRAYS", "ARRAYS_AND_LISTS", "load", "plain"]


class _Budget:
    """What one file may build: bytes (or list items), twice as many as it holds."""

    def __init__(self, file_bytes):
        self.file_bytes = file_bytes
        self.left = 2 * file_bytes

    def spend(self, amount):
        if amount > self.left:
            raise ValueError(f"it would build more than its {self.file_bytes} bytes hold")
        self.left -= amount


class _Global:
    """A stand-in for a class a file may name but never call (numpy.ndarray)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise ValueError(f"refusing to call {self.name}: only NumPy's array rebuild may")


_NDARRAY = _Global("numpy.ndarray")


class _Array(np.ndarray):
    """An array being unpickled: its state is checked and charged before NumPy builds it."""

    budget = None  # set by _reconstruct

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise ValueError("malformed array state")
        shape, dtype, data = state[-4], state[-3], state[-1]
        count = _count(shape, dtype)
        if dtype.hasobject:
            size = count  # list items, each at least a byte of the file
            fits = isinstance(data, list) and len(data) == count
        else:
            # bytes from protocol 3+, latin-1 text from NumPy's older pickles
            size = count * dtype.itemsize
            fits = isinstance(data, (bytes, bytearray, str)) and len(data) == size
        if not fits:
            raise ValueError(f"array data does not match its shape {shape} and dtype {dtype}")
        self.budget.spend(size)
        super().__setstate__(state)


def _count(shape, dtype):
    if not (isinstance(shape, tuple) and all(type(d) is int and d >= 0 for d in shape)):
        raise ValueError(f"malformed array shape {shape!r}")
    if not isinstance(dtype, np.dtype):
        raise ValueError("malformed array dtype")
    return math.prod(shape)


def _reconstruct(budget, cls, shape, typecode):
    """numpy's _reconstruct as pickles call it: an empty array that __setstate__ fills."""
    if cls is not _NDARRAY or tuple(shape) != (0,):
        raise ValueError("refusing an array rebuild that NumPy's pickles never write")
    array = _Array((0,), dtype=np.uint8)
    array.budget = budget
    return array


def _frombuffer(budget, buffer, dtype, shape, order):
    """numpy's _frombuffer (pickle protocol 5): a view of data the file holds."""
    count = _count(tuple(shape), dtype)
    if dtype.hasobject:
        raise ValueError("malformed array dtype")
    budget.spend(count * dtype.itemsize)
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order)


def _latin1(budget, text, encoding):
    """_codecs.encode as pickle protocols 0-2 store bytes: latin-1 text back to bytes."""
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise ValueError(f"refusing _codecs.encode of {type(text).__name__} to {encoding!r}")
    budget.spend(len(text))
    return text.encode("latin-1")


def _empty_bytes(budget, *args):
    """bytes() as pickle protocols 0-2 store b"" (bytes(n) would allocate n bytes)."""
    if args:
        raise ValueError("refusing bytes() with arguments")
    return b""


def _list(budget, items=()):
    """list(items), charged like the list opcodes it stands for."""
    out = list(items)
    budget.spend(len(out))
    return out


# What the book's save_params writes: a dict of NumPy arrays, any NumPy, any protocol.
# Each is called with the file's budget first.
ARRAYS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("_codecs", "encode"): _latin1,
    ("__builtin__", "bytes"): _empty_bytes,
    ("builtins", "bytes"): _empty_bytes,
}
# Keras' IMDB and Reuters files also hold lists (of word ids).
ARRAYS_AND_LISTS = {**ARRAYS, ("builtins", "list"): _list, ("__builtin__", "list"): _list}
# Named, never called: pickles pass these to the functions above.
_CLASSES = {("numpy", "ndarray"): _NDARRAY, ("numpy", "dtype"): np.dtype}


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, allowed, budget):
        # latin1: how NumPy arrays pickled by Python 2 must be read
        super().__init__(file, encoding="latin1")
        self.allowed = allowed
        self.budget = budget

    def find_class(self, module, name):
        if (module, name) in _CLASSES:
            return _CLASSES[(module, name)]
        if (module, name) in self.allowed:
            return partial(self.allowed[(module, name)], self.budget)
        raise ValueError(
            f"refusing to unpickle {module}.{name}: only NumPy arrays are read "
            "from this file, because unpickling anything else could run code"
        )


def load(file, source, max_bytes, allowed=ARRAYS):
    """The object pickled in the open binary `file` of `max_bytes` bytes.

    `source` names the file in errors. Arrays come back as instances of a
    checking subclass; `plain` turns them into np.ndarray. Any problem, a
    forbidden global included, is a ValueError naming `source`.
    """
    try:
        return _Unpickler(file, allowed, _Budget(max_bytes)).load()
    except Exception as exc:  # noqa: BLE001 - a corrupt pickle raises almost any type
        raise ValueError(f"{source}: cannot be read as pickled NumPy arrays: {exc}") from None


def plain(value):
    """`value` as a plain np.ndarray when it is an unpickled array, else unchanged."""
    if isinstance(value, np.ndarray):
        return value.view(np.ndarray)
    return value
