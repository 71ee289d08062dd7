"""Reading pickled NumPy arrays without running code.

Pickle rebuilds objects by calling whatever functions the file names, so a
crafted file can run `os.system` while it loads. The book saves a network's
parameters with pickle (a dict of NumPy arrays), and Keras stores the IMDB
and Reuters reviews as pickled object arrays, so fastnet still reads such
files, with this unpickler: it admits only the globals NumPy's own arrays
are rebuilt from (NumPy 1.x's `numpy.core` and 2.x's `numpy._core` names,
pickle protocols 0 to 5) and refuses any other with a ValueError naming the
file and the global.

The admitted globals are replaced by checked versions: NumPy's own
`_reconstruct` allocates whatever shape a file asks for, before it sees
any data, so a few bytes could ask for gigabytes. Here an array is
allocated only when the file holds all of its data.
"""

import math
import pickle

import numpy as np

__all__ = ["load"]


class _Global:
    """A stand-in for a class a file may name but never call (numpy.ndarray)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise ValueError(f"refusing to call {self.name}: only NumPy's array rebuild may")


_NDARRAY = _Global("numpy.ndarray")


class _Array(np.ndarray):
    """An array being unpickled: its state is checked against its data first."""

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise ValueError("malformed array state")
        shape, dtype, data = state[-4], state[-3], state[-1]
        if not (isinstance(shape, tuple) and all(type(d) is int and d >= 0 for d in shape)):
            raise ValueError(f"malformed array shape {shape!r}")
        if not isinstance(dtype, np.dtype):
            raise ValueError("malformed array dtype")
        count = math.prod(shape)
        if dtype.hasobject:
            fits = isinstance(data, list) and len(data) == count
        else:
            # bytes from protocol 3+, latin-1 text from NumPy's older pickles
            fits = isinstance(data, (bytes, bytearray, str)) and len(data) == count * dtype.itemsize
        if not fits:
            raise ValueError(f"array data does not match its shape {shape} and dtype {dtype}")
        super().__setstate__(state)


def _reconstruct(cls, shape, typecode):
    """numpy's _reconstruct as pickles call it: an empty array that __setstate__ fills."""
    if cls is not _NDARRAY or tuple(shape) != (0,):
        raise ValueError("refusing an array rebuild that NumPy's pickles never write")
    return _Array((0,), dtype=np.uint8)


def _frombuffer(buffer, dtype, shape, order):
    """numpy's _frombuffer (pickle protocol 5): a view of data the file holds."""
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise ValueError("malformed array dtype")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order)


def _latin1(text, encoding):
    """_codecs.encode as pickle protocols 0-2 store bytes: latin-1 text back to bytes."""
    if encoding not in ("latin1", "latin-1"):
        raise ValueError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin-1")


def _empty_bytes(*args):
    """bytes() as pickle protocols 0-2 store b"" (bytes(n) would allocate n bytes)."""
    if args:
        raise ValueError("refusing bytes() with arguments")
    return b""


# What the book's save_params writes: a dict of NumPy arrays, any NumPy, any protocol.
ARRAYS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1,
    ("__builtin__", "bytes"): _empty_bytes,
    ("builtins", "bytes"): _empty_bytes,
}
# Keras' IMDB and Reuters files also hold lists (of word ids).
ARRAYS_AND_LISTS = {**ARRAYS, ("builtins", "list"): list, ("__builtin__", "list"): list}


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, allowed):
        # latin1: how NumPy arrays pickled by Python 2 must be read
        super().__init__(file, encoding="latin1")
        self.allowed = allowed

    def find_class(self, module, name):
        try:
            return self.allowed[(module, name)]
        except KeyError:
            raise ValueError(
                f"refusing to unpickle {module}.{name}: only NumPy arrays are read "
                "from this file, because unpickling anything else could run code"
            ) from None


def load(file, source, allowed=ARRAYS):
    """The object pickled in the open binary `file`; `source` names it in errors.

    Arrays come back as instances of a checking subclass; `plain` turns them into np.ndarray.
    Any problem, a forbidden global included, is a ValueError naming `source`.
    """
    try:
        return _Unpickler(file, allowed).load()
    except Exception as exc:  # noqa: BLE001 - a corrupt pickle raises almost any type
        raise ValueError(f"{source}: cannot be read as pickled NumPy arrays: {exc}") from None


def plain(value):
    """`value` as a plain np.ndarray when it is an unpickled array, else unchanged."""
    if isinstance(value, np.ndarray):
        return value.view(np.ndarray)
    return value
