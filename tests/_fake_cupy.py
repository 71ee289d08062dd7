"""The array module of the CUDA-free stand-in for CuPy (see _fake_device.py).

`FakeCupy` is an array module whose arrays (`DeviceArray`) behave like
cupy.ndarray where fastnet uses them, but are stricter than CuPy:

- NumPy never sees one: `np.asarray(d)`, `np.exp(d)`, `np.sum(d)` and
  `d + numpy_array` raise TypeError (CuPy refuses `__array__` too, but
  quietly serves NumPy ufuncs and functions through `__array_ufunc__` /
  `__array_function__`; code that relied on that would not show up here).
- NumPy arrays never enter one: passing a NumPy array to an `xp` function,
  an operator or a kernel raises TypeError, except `xp.asarray`, the
  explicit host-to-device copy.
- Every crossing is counted in `FakeCupy.transfers`: arrays copied to the
  device, arrays copied to the host, and scalars read back (`float(d)`).
"""

import collections
import types

import numpy as np


def _refuse_host(value, where):
    if isinstance(value, np.ndarray):
        raise TypeError(
            f"{where}: a NumPy array reached device code (shape {value.shape}); "
            "the GPU backend must never mix host and device arrays"
        )


class Flags:
    """cupy.ndarray.flags: contiguity only (no `writeable`, unlike NumPy)."""

    def __init__(self, data):
        self.c_contiguous = data.flags.c_contiguous
        self.f_contiguous = data.flags.f_contiguous
        self.owndata = data.flags.owndata


class DeviceArray:
    """A device array: wraps a NumPy array that only "device code" may touch."""

    # NumPy's ufuncs and array functions refuse it; binary operators with a
    # NumPy array on the left come here (and raise) instead of converting.
    __array_ufunc__ = None

    def __init__(self, data, owner):
        self._data = data
        self._owner = owner

    def __array__(self, *args, **kwargs):
        raise TypeError("implicit conversion of a device array to NumPy; use .get()")

    def __array_function__(self, func, types, args, kwargs):
        raise TypeError(f"NumPy function {func.__name__} called on a device array")

    # -- attributes (each exists on cupy.ndarray; a test checks that)
    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    strides = property(lambda self: self._data.strides)
    itemsize = property(lambda self: self._data.itemsize)
    nbytes = property(lambda self: self._data.nbytes)
    flags = property(lambda self: Flags(self._data))
    T = property(lambda self: self._wrap(self._data.T))

    def _wrap(self, value):
        return self._owner._wrap(value)

    def _call(self, name, *args, **kwargs):
        args = [self._owner._unwrap(a, f"ndarray.{name}") for a in args]
        return self._wrap(getattr(self._data, name)(*args, **kwargs))

    def reshape(self, *shape):
        return self._call("reshape", *shape)

    def transpose(self, *axes):
        return self._call("transpose", *axes)

    def flatten(self):
        return self._call("flatten")

    def astype(self, dtype, copy=True):
        return self._call("astype", dtype, copy=copy)

    def view(self, dtype):
        return self._call("view", dtype)

    def copy(self):
        return self._wrap(self._data.copy())

    def ravel(self):
        return self._call("ravel")

    def sum(self, axis=None, **kw):
        return self._call("sum", axis=axis, **kw)

    def mean(self, axis=None, **kw):
        return self._call("mean", axis=axis, **kw)

    def max(self, axis=None, **kw):
        return self._call("max", axis=axis, **kw)

    def min(self, axis=None, **kw):
        return self._call("min", axis=axis, **kw)

    def all(self, axis=None):
        return self._call("all", axis=axis)

    def argmax(self, axis=None):
        return self._call("argmax", axis=axis)

    def get(self):
        """The explicit device-to-host copy, counted."""
        self._owner.transfers["to_host"] += 1
        return self._data.copy()

    def item(self):
        self._owner.transfers["scalar_reads"] += 1
        return self._data.item()

    # -- scalars come back to the host only through these, counted
    def _scalar(self, convert):
        if self._data.size != 1:
            raise TypeError(f"only size-1 device arrays convert to scalars, not {self.shape}")
        self._owner.transfers["scalar_reads"] += 1
        return convert(self._data.reshape(()))

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __bool__(self):
        return self._scalar(bool)

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return (self._wrap(row) for row in self._data)

    def __repr__(self):
        return f"DeviceArray(shape={self.shape}, dtype={self.dtype})"

    def __getitem__(self, index):
        return self._wrap(self._data[self._owner._unwrap_index(index)])

    def __setitem__(self, index, value):
        self._data[self._owner._unwrap_index(index)] = self._owner._unwrap(value, "setitem")


def _binary(name):
    def op(self, other):
        other = self._owner._unwrap(other, f"operator {name}")
        return self._wrap(getattr(self._data, name)(other))

    op.__name__ = name
    return op


def _unary(name):
    def op(self):
        return self._wrap(getattr(self._data, name)())

    op.__name__ = name
    return op


for _name in ("add", "sub", "mul", "truediv", "pow", "lt", "le", "gt", "ge", "eq", "ne",
              "matmul", "and", "or"):
    setattr(DeviceArray, f"__{_name}__", _binary(f"__{_name}__"))
    if _name not in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(DeviceArray, f"__r{_name}__", _binary(f"__r{_name}__"))
        setattr(DeviceArray, f"__i{_name}__", _binary(f"__i{_name}__"))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(DeviceArray, f"__{_name}__", _unary(f"__{_name}__"))
DeviceArray.__hash__ = None


class FakeCupy:
    """The array module: NumPy's functions, but only on device arrays."""

    ndarray = DeviceArray
    # CuPy's dtypes are NumPy's.
    float32, float64, int32, int64, intp, uintp, bool_ = (
        np.float32, np.float64, np.int32, np.int64, np.intp, np.uintp, np.bool_)

    # Functions taken over from NumPy (each also exists in CuPy).
    _FUNCTIONS = ("ascontiguousarray", "empty_like", "zeros_like", "ones_like", "matmul",
                  "exp", "log", "log1p", "sqrt", "tanh", "abs", "maximum", "minimum", "where",
                  "isfinite", "isnan", "sum", "mean", "vdot", "argmax", "dot", "copy",
                  "result_type", "take", "argsort", "searchsorted", "broadcast_to")
    # Allocations from a shape: no array argument to check.
    _ALLOCATORS = ("empty", "zeros", "ones", "arange", "eye", "full")

    def __init__(self):
        self.transfers = collections.Counter()
        # cupy.random draws on the device; the stand-in draws with NumPy's
        # generators, so the same seeds reproduce the CPU backends here.
        self.random = types.SimpleNamespace(
            rand=lambda *shape: self._wrap(np.random.rand(*shape)),
            default_rng=lambda seed=None: _Generator(self, seed),
        )
        for name in self._FUNCTIONS:
            setattr(self, name, self._device_function(name))
        for name in self._ALLOCATORS:
            setattr(self, name, self._allocator(name))

    def _wrap(self, value):
        if isinstance(value, np.ndarray):
            return DeviceArray(value, self)
        if isinstance(value, np.generic):  # CuPy reductions give 0-d arrays, not scalars
            return DeviceArray(np.asarray(value), self)
        return value

    def _unwrap(self, value, where):
        if isinstance(value, DeviceArray):
            return value._data
        _refuse_host(value, where)
        if isinstance(value, (list, tuple)):
            return type(value)(self._unwrap(v, where) for v in value)
        return value

    def _unwrap_index(self, index):
        if isinstance(index, tuple):
            return tuple(self._unwrap(i, "indexing") for i in index)
        return self._unwrap(index, "indexing")

    def _device_function(self, name):
        func = getattr(np, name)

        def device_function(*args, **kwargs):
            args = [self._unwrap(a, f"xp.{name}") for a in args]
            kwargs = {k: self._unwrap(v, f"xp.{name}") for k, v in kwargs.items()}
            return self._wrap(func(*args, **kwargs))

        device_function.__name__ = name
        return device_function

    def _allocator(self, name):
        func = getattr(np, name)

        def allocate(*args, **kwargs):
            for a in args:
                _refuse_host(a, f"xp.{name}")
            return self._wrap(func(*args, **kwargs))

        allocate.__name__ = name
        return allocate

    def asarray(self, x, dtype=None):
        """The explicit host-to-device copy (counted); device arrays pass through."""
        if isinstance(x, DeviceArray):
            return x if dtype is None else x.astype(dtype, copy=False)
        if isinstance(x, np.ndarray):
            self.transfers["to_device"] += 1
        return self._wrap(np.array(x, dtype=dtype))

    def asnumpy(self, x):
        return x.get()


class _Generator:
    """cupy.random.Generator's `random`, drawn by NumPy's Generator."""

    def __init__(self, xp, seed):
        self._xp = xp
        self._generator = np.random.default_rng(seed)

    def random(self, size=None, dtype=np.float64):
        return self._xp._wrap(self._generator.random(size, dtype=dtype))
