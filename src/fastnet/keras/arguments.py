"""Checks for the arguments a user passes to fastnet.keras, in one place.

Every constructor, compile, fit, evaluate and predict checks its arguments
where they are passed, so that a wrong value fails there with a message
naming the argument, the value and what is allowed, instead of building a
model that fails (or silently does nothing) later. `name` below is how the
message names the argument, e.g. "Dense: units".

Where Keras 3 gives a value a meaning these checks keep it (batch_size=None
is 32, verbose="auto" is 1); values with no meaning (a batch of 0 samples, a
NaN learning rate) are refused, also where Keras happens to let them through.
"""

import math
import numbers

__all__ = ["batch_size", "integer", "pair", "real", "shape", "verbose"]

# Keras' batch size when none is given.
DEFAULT_BATCH_SIZE = 32


def integer(value, name, minimum=None):
    """`value` as an int, refusing floats, bools and anything below `minimum`."""
    # bool is a subclass of int in Python, but True is never meant as a count.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer, got {value!r} of type {type(value).__name__}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value}")
    return value


def real(value, name, low=None, high=None, high_open=False, low_open=False):
    """`value` as a finite float inside the interval given by low / high."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(f"{name} must be {_interval(low, high, low_open, high_open)}, got {value}")
    return value


def _interval(low, high, low_open, high_open):
    if low is None and high is None:
        return "a finite number"
    if high is None:
        return f"a finite number {'>' if low_open else '>='} {low}"
    if low is None:
        return f"a finite number {'<' if high_open else '<='} {high}"
    return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"


def pair(value, name):
    """Keras' int-or-pair arguments (kernel_size, strides, pool_size) as two ints >= 1."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        items = tuple(value)
    else:
        items = (value, value)
    return tuple(integer(v, name, minimum=1) for v in items)


def shape(value, name):
    """One sample's shape (no batch axis): a tuple of sizes >= 1."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{name} must be a tuple of sizes, e.g. (784,), got {value!r} of type "
            f"{type(value).__name__}"
        )
    if any(v is None for v in value):
        raise ValueError(
            f"{name} must give every size, got {tuple(value)}: fastnet.keras builds its "
            f"weights from fixed sizes, so None (a size known only later) is not supported"
        )
    return tuple(integer(v, f"{name} {tuple(value)}: each size", minimum=1) for v in value)


def batch_size(value, name="batch_size"):
    """A batch size: None means Keras' default of 32, otherwise an integer >= 1."""
    return DEFAULT_BATCH_SIZE if value is None else integer(value, name, minimum=1)


def verbose(value):
    """Keras' verbose: "auto" (1), 0 (silent), 1 (progress bar) or 2 (one line per epoch)."""
    if isinstance(value, str) and value == "auto":
        return 1
    # True / False are accepted: many scripts write verbose=False.
    if isinstance(value, (bool, numbers.Integral)) and value in (0, 1, 2):
        return int(value)
    raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {value!r}")


def registered(registry, class_name, config, what):
    """registry[class_name](**config): a saved model's class name and config, made again.

    Only the registry's classes can be named (never a getattr, never an
    unpickle); the constructor checks each argument as it checks a user's.
    """
    if not isinstance(class_name, str) or class_name not in registry:
        raise ValueError(f"unknown {what} class {class_name!r}; allowed: {sorted(registry)}")
    if not isinstance(config, dict):
        raise ValueError(f"a {what} config is an object, got {config!r:.200}")
    return registry[class_name](**config)
