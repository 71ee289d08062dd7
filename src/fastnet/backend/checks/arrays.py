"""The helpers every family's checks share: arrays made fit for a kernel, or refused.

Arrays a kernel only reads are made fit for C when they are not: a
non-native byte order (`'>f8'`) is converted and data not aligned to its
item size (a view into raw bytes) is copied, so every kernel reads plain
native numbers. Arrays a kernel updates in place (parameters, optimizer
state, running statistics) cannot be replaced by a copy without losing the
update, so those are refused instead, with a TypeError that says why.

`ArrayChecks` is a base of `fastnet.backend.Backend` (checks/__init__.py),
which gives it `xp`, `_ndarray` and `_host_memory`.
"""

import math

import numpy as np

from ..vocabulary import ACTIVATIONS

FLOAT_CHARS = "fd"  # float32, float64
# The native float dtypes, compared by identity on every call: the cheapest
# test there is. An equal dtype that is a different object (an unpickled
# array's) takes the slower full check and passes it.
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)


def finite_number(value, name, where):
    """A finite hyperparameter (learning rate, decay...) as a Python float, or a clear error."""
    # The usual value is a finite float already; NaN and ±inf fail this test.
    if type(value) is float and -math.inf < value < math.inf:
        return value
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    return number


def too_big_for_an_array(sizes, itemsize):
    """True when no array of these sizes (those of 0 aside) and item size can exist:
    its bytes would pass what NumPy's C ssize_t sizes hold, and NumPy would fail
    with "Maximum allowed dimension exceeded" or "array is too big"."""
    return math.prod(s for s in sizes if s) * itemsize > np.iinfo(np.intp).max


def fraction(value, name, where):
    """A finite number in [0, 1] (a decay or momentum of a running average)."""
    number = finite_number(value, name, where)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{where}: {name} must lie in [0, 1], got {value!r}")
    return number


class ArrayChecks:
    """Input checks and conversions, shared by every family's checks."""

    def _array(self, x, name, kernel, ndim=None):
        """x as a native, aligned float32/float64 array of this backend, or a clear error."""
        if not isinstance(x, self._ndarray):
            x = self._from_foreign(x, name, kernel)
        dtype = x.dtype
        # The usual array passes two identity tests and one flag read.
        if (dtype is not _FLOAT64 and dtype is not _FLOAT32) or (
                self._host_memory and not x.flags.aligned):
            x = self._fit_for_c(x, name, kernel)
        if ndim is not None and x.ndim != ndim:
            raise ValueError(
                f"{kernel}: {name} must be {ndim}-D, got shape {x.shape} ({x.ndim}-D)"
            )
        return x

    def _float_dtype(self, x, name, kernel):
        """Refuse anything but float32/float64 (of either byte order)."""
        if x.dtype.char not in FLOAT_CHARS:
            raise TypeError(
                f"{kernel}: {name} must be float32 or float64, got dtype {x.dtype}"
                + (" (cast it with .astype(np.float32))" if x.dtype.kind in "biu" else "")
            )

    def _fit_for_c(self, x, name, kernel):
        """A float array the kernel only reads, as native numbers at aligned addresses.

        The C kernels load whole native floats: bytes in the other order would
        be read as garbage, and a misaligned load is undefined behaviour.
        """
        self._float_dtype(x, name, kernel)
        if not x.dtype.isnative:
            return x.astype(x.dtype.newbyteorder("="))
        if self._host_memory and not x.flags.aligned:
            return x.copy()
        return x

    def _in_place(self, x, name, kernel):
        """x, which the kernel updates in place, checked but never converted.

        A converted copy would take the update and the caller's array would
        never see it, so what `_array` repairs is refused here.
        """
        # The usual parameter passes an isinstance, two identity tests and two flags.
        if isinstance(x, self._ndarray):
            dtype = x.dtype
            if dtype is _FLOAT64 or dtype is _FLOAT32:
                if not self._host_memory:
                    return x
                flags = x.flags
                if flags.writeable and flags.aligned:
                    return x
        return self._in_place_slow(x, name, kernel)

    def _in_place_slow(self, x, name, kernel):
        """`_in_place`'s full check, with the message for each way to fail it."""
        if not isinstance(x, self._ndarray):
            kind = self._ndarray
            raise TypeError(
                f"{kernel}: {name} is updated in place, so it must be a "
                f"{kind.__module__}.{kind.__name__}, got {type(x).__name__}"
            )
        self._float_dtype(x, name, kernel)
        if not self._writeable(x):
            raise ValueError(f"{kernel}: {name} is read-only and is updated in place")
        if not x.dtype.isnative:
            raise TypeError(
                f"{kernel}: {name} has non-native byte order (dtype {x.dtype.str!r}) and is "
                f"updated in place, so it cannot be converted for the kernel; convert it "
                f"once, before training: {name} = {name}.astype({name}.dtype.newbyteorder('='))"
            )
        if self._host_memory and not x.flags.aligned:
            raise TypeError(
                f"{kernel}: {name}'s data is not aligned to its {x.dtype.itemsize}-byte items "
                f"and it is updated in place, so it cannot be copied for the kernel; copy it "
                f"once, before training: {name} = {name}.copy()"
            )
        return x

    _number = staticmethod(finite_number)
    _fraction = staticmethod(fraction)

    @staticmethod
    def _flag(value, name, kernel):
        """True or False (1 and 0 too): a string such as 'yes' is not a flag."""
        if value is False or value is True:  # the usual call: two identity tests
            return value
        if value not in (True, False):
            raise TypeError(f"{kernel}: {name} must be True or False, got {value!r}")
        return bool(value)

    def _from_foreign(self, x, name, kernel):
        # A CPU backend accepts lists and other array-likes like NumPy does.
        # A GPU backend overrides this to refuse host arrays (no hidden copies).
        try:
            array = self.xp.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{kernel}: {name} is not an array: {type(x).__name__}") from exc
        if array.dtype.kind in "OSUV":  # None, text, objects: no numbers at all
            raise TypeError(
                f"{kernel}: {name} must be an array of numbers, got {type(x).__name__}"
            )
        return array

    @staticmethod
    def _writeable(x):
        # NumPy arrays can be read-only views; CuPy arrays have no such flag.
        return x.flags.writeable

    def asarray(self, x, name="x", where="fastnet"):
        """x as an array of this backend, converted the way kernel arguments are.

        On a CPU backend a list or scalar becomes a NumPy array; on the GPU
        backend a host array is refused with a TypeError (see `_from_foreign`).
        """
        return x if isinstance(x, self._ndarray) else self._from_foreign(x, name, where)

    def to_device(self, x):
        """x copied to this backend's memory (NumPy's for a CPU backend: no copy)."""
        return self.xp.asarray(x)

    @staticmethod
    def _common(a, b, c=None):
        """Cast to the common dtype (float32 with float64 gives float64)."""
        # The usual case, same dtypes, returns at once: np.result_type costs
        # a real share of a small kernel call.
        if a.dtype == b.dtype and (c is None or c.dtype == a.dtype):
            return a, b, c
        dtype = np.result_type(*(x.dtype for x in (a, b, c) if x is not None))
        return tuple(x if x is None or x.dtype == dtype else x.astype(dtype) for x in (a, b, c))

    @staticmethod
    def _activation(activation, kernel):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"{kernel}: activation must be one of {ACTIVATIONS}, got {activation!r}"
            )

    @staticmethod
    def _same_shape(a, b, names, kernel):
        if a.shape != b.shape:
            raise ValueError(
                f"{kernel}: {names[1]} has shape {b.shape} but {names[0]} has shape {a.shape}"
            )

