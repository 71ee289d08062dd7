"""The float type new models use: float32 by default, like Keras.

    from fastnet.keras import config
    config.set_floatx("float64")   # e.g. to compare with a float64 reference
"""

__all__ = ["floatx", "set_floatx"]

_state = {"floatx": "float32"}


def floatx():
    """'float32' (default) or 'float64'."""
    return _state["floatx"]


def set_floatx(value):
    """Use `value` ('float32' or 'float64') for the models built from now on."""
    if value not in ("float32", "float64"):
        raise ValueError(f"floatx must be 'float32' or 'float64', got {value!r}")
    _state["floatx"] = value
