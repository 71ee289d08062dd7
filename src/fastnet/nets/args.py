"""The checks a network's constructor and accuracy make before any array is built.

A bad size, dtype or hyperparameter would otherwise surface later, inside
NumPy or a kernel, with a message that names none of the constructor's
arguments.
"""

import math
import numbers

import numpy as np

__all__ = ["sizes", "hidden_sizes", "float_dtype", "weight_std", "decay", "conv_param",
           "accuracy_inputs", "batch_size"]

CONV_PARAM_KEYS = ("filter_num", "filter_size", "pad", "stride")


def _integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def sizes(where, **named):
    """Each named size is an integer ≥ 1."""
    for name, value in named.items():
        if not _integer(value):
            raise TypeError(f"{where}: {name} must be an integer, got {value!r}")
        if value < 1:
            raise ValueError(f"{where}: {name} must be at least 1, got {value!r}")


def hidden_sizes(value, where):
    """hidden_size_list as a list of sizes ≥ 1 (a list or tuple, as in the book)."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where}: hidden_size_list must be a list of layer sizes such as "
                        f"[100, 100], got {value!r}")
    sizes(where, **{f"hidden_size_list[{i}]": n for i, n in enumerate(value)})
    return list(value)


def float_dtype(dtype, where):
    """float32 or float64, the dtypes the kernels compute in."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.float32, np.float64):
        raise TypeError(f"{where}: dtype must be float32 or float64, got {dtype!r}")
    return resolved


def weight_std(value, where):
    """A finite number (the scale of randn)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        return value
    raise TypeError(f"{where}: weight_init_std must be a finite number, got {value!r}")


def decay(value, where):
    """weight_decay_lambda: a finite number ≥ 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{where}: weight_decay_lambda must be a number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{where}: weight_decay_lambda must be finite and ≥ 0, got {value!r}")
    return value


def conv_param(param, where, name="conv_param"):
    """A convolution's dict: filter_num and filter_size ≥ 1, stride ≥ 1, pad ≥ 0."""
    if not isinstance(param, dict):
        raise TypeError(f"{where}: {name} must be a dict with keys {CONV_PARAM_KEYS}, "
                        f"got {param!r}")
    missing = [key for key in CONV_PARAM_KEYS if key not in param]
    if missing:
        raise ValueError(f"{where}: {name} lacks {missing} (it needs {CONV_PARAM_KEYS})")
    sizes(where, **{f"{name}[{key!r}]": param[key] for key in CONV_PARAM_KEYS if key != "pad"})
    pad = param["pad"]
    if not _integer(pad) or pad < 0:
        raise ValueError(f"{where}: {name}['pad'] must be an integer ≥ 0, got {pad!r}")
    return param


def batch_size(value, where):
    sizes(where, batch_size=value)
    return value


def accuracy_inputs(B, x, t, where="accuracy"):
    """x (an array, the batch first) and t as labels (N,), or a clear error."""
    if getattr(x, "ndim", None) is None:
        raise TypeError(f"{where}: x must be an array with the samples first, "
                        f"got {type(x).__name__}")
    t = B.asarray(t, "t", where)  # a host t on the GPU: a clear TypeError
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{where}: t must hold labels or one-hot rows, got dtype {t.dtype}")
    if t.ndim != 1:
        t = t.argmax(axis=1)
    n = x.shape[0] if x.ndim else 0
    if n == 0:
        raise ValueError(f"{where}: x has no samples (0 rows): accuracy is undefined")
    if t.shape[0] != n:
        raise ValueError(f"{where}: x has {n} samples but t has {t.shape[0]} labels")
    return t
