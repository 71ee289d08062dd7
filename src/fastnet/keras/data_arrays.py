"""One argument of fit / evaluate / predict (x, y, sample_weight, class_weight) read as arrays.

The array rules of data_adapters.py (its docstring lists them all): any
numeric dtype, pandas, nested lists of numbers; ranks adjusted where Keras
adjusts them; one array per input or output of a functional model. Data
that is not numbers raises DataFormError.
"""

import numpy as np

from ..backend import current
from ..device import to_numpy
from .data_structures import same_rows, split

__all__ = ["DataFormError", "as_array", "class_weights_to_sample_weights", "prepare_inputs",
           "prepare_targets", "prepare_weights"]


def _is_pandas(value):
    return type(value).__module__.partition(".")[0] == "pandas"


class DataFormError(TypeError, ValueError):
    """Data that cannot be read as numbers (a dict for an unnamed input,
    strings, objects). A TypeError, and also the ValueError Keras 3 raises for
    the same data, so code written against Keras catches it unchanged."""


def as_array(value, what, numbers=True):
    """One array from an ndarray, a backend array, pandas or nested lists of numbers.

    numbers=False leaves the dtype to the caller (the loss names its own rule).
    """
    xp = current().xp
    if isinstance(value, (np.ndarray, xp.ndarray)):
        array = value
    elif isinstance(value, dict):
        raise DataFormError(
            f"{what} is a dict, which names the inputs of a model with named inputs; a "
            f"Sequential model has one unnamed input: pass an array"
        )
    elif isinstance(value, (str, bytes)):
        raise DataFormError(f"{what} must be numbers, got a {type(value).__name__}")
    elif _is_pandas(value):
        array = value.to_numpy()
    else:
        if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, (np.ndarray, xp.ndarray)) or _is_pandas(v) for v in value):
            # Keras reads a list of arrays as one array per model input.
            if len(value) != 1:
                raise ValueError(
                    f"{what} is a list of {len(value)} arrays, Keras' form for a model with "
                    f"{len(value)} inputs; this model has one input"
                )
            return as_array(value[0], what, numbers)
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as err:
            raise DataFormError(f"{what} cannot be read as an array of numbers: {err}") from None
    if numbers and array.dtype.kind not in "biuf":
        raise DataFormError(f"{what} must be numbers, got an array of dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{what} must have a batch axis, got a scalar")
    return array


def _adjust_rank(x, expected, what):
    """x reshaped to (N, *expected) by Keras' one-axis rule, or a ValueError."""
    sample = tuple(x.shape[1:])
    if sample == expected:
        return x
    if len(sample) == len(expected) - 1 and expected[-1] == 1 and sample == expected[:-1]:
        return x.reshape(*x.shape, 1)
    if len(sample) == len(expected) + 1 and sample[-1] == 1 and sample[:-1] == expected:
        return x.reshape(x.shape[:-1])
    raise ValueError(
        f"the model expects {what} of shape {(None, *expected)}, got data of shape "
        f"{tuple(x.shape)}"
    )


def _functional_inputs(model, x):
    xp, names = current().xp, model.input_names
    arrays = []
    for name, value, shape in zip(names, split(x, names, "input"), model.input_shapes_):
        a = _adjust_rank(as_array(value, f"input {name!r}"), shape, f"input {name!r}")
        arrays.append(xp.asarray(a, dtype=model.dtype))
    same_rows(arrays, "input")
    return arrays[0] if len(arrays) == 1 else tuple(arrays)


def prepare_inputs(model, x):
    """x on the backend as the model's float type, shaped for its input(s)."""
    if getattr(model, "input_names", None) is not None:
        return _functional_inputs(model, x)
    x = as_array(x, "inputs")
    if model.input_shape_ is None and x.ndim == 1:
        # Keras builds a layer from the last axis, which rank-1 data lacks.
        raise ValueError(
            f"inputs of shape {tuple(x.shape)} have no feature axis, and the model has no "
            f"input shape to add one from: reshape them to ({x.shape[0]}, 1), or give the "
            f"first layer input_shape=(1,)"
        )
    if model.input_shape_ is not None:
        x = _adjust_rank(x, model.input_shape_, "inputs")
    model._build_for(x.shape)
    # Once per call (arrays) or batch (generators): to the backend, as the model's type.
    return current().xp.asarray(x, dtype=model.dtype)


def prepare_targets(model, y, n):
    """y for each output's loss: rank adjusted, checked by the loss, n samples each."""
    heads = model._ready()
    several = getattr(model, "input_names", None) is not None
    items = split(y, [h.name for h in heads], "output") if several else [y]
    targets = []
    for head, item in zip(heads, items):
        what = f"targets of output {head.name!r}" if len(heads) > 1 else "targets"
        t = as_array(item, what, numbers=False)
        if t.ndim == 3 and t.shape[-1] == 1:
            t = t.reshape(t.shape[:-1])  # Keras squeezes one trailing axis of size 1
        t = head.loss.prepare(t, head.n_out, model.dtype)
        if t.shape[0] != n:
            raise ValueError(
                f"data cardinality differs: {n} input samples but {t.shape[0]} {what}"
            )
        targets.append(t)
    return targets[0] if len(targets) == 1 else tuple(targets)


def prepare_weights(weights, n, what="sample_weight"):
    """Per-sample weights (N,) on the backend, finite and >= 0, or None."""
    if weights is None:
        return None
    w = as_array(weights, what)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w.reshape(-1)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(
            f"{what} must hold one weight per sample, shape ({n},), got {tuple(w.shape)}"
        )
    # On the backend first: its array module checks its own arrays (and a
    # weight past float32's range becomes inf, which is refused below).
    xp = current().xp
    w = xp.asarray(w, dtype=np.float32)
    if w.size and not bool((xp.isfinite(w) & (w >= 0)).all()):
        raise ValueError(f"{what} must be finite and >= 0")
    return w


def class_weights_to_sample_weights(class_weight, y):
    """Keras' rule: each sample weighs class_weight[its class] (1.0 for classes not listed).

    The class is the argmax of a one-hot row, else the rounded label.
    """
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"class_weight must be a dict {{class index: weight}}, got "
            f"{type(class_weight).__name__}"
        )
    y = to_numpy(as_array(y, "targets"))
    if y.ndim > 1:
        y = y.argmax(axis=-1) if y.shape[-1] != 1 else y.reshape(y.shape[:-1])
    labels = np.round(y).astype(np.int64).reshape(-1)
    weights = np.ones(labels.shape[0], dtype=np.float64)
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            raise TypeError(f"class_weight keys must be class indices, got {label!r}")
        weights[labels == int(label)] = weight
    return weights
