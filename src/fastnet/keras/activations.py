"""Activation functions by Keras' names, on the current backend.

`get(identifier)` turns what a user writes (`"relu"`, `None`, `"linear"`,
`activations.relu`) into one canonical name. relu, sigmoid and tanh are
fused into the GEMM of a Dense layer; softmax is a row-wise kernel.
"""

from ..backend import ACTIVATIONS, current

__all__ = ["get", "linear", "relu", "sigmoid", "softmax", "tanh"]

# Keras name -> fastnet kernel name: fastnet's activations keep their names
# except "identity", which Keras calls "linear"; "softmax" has a kernel of its own.
_KERNEL_NAMES = {
    "linear": "identity",
    **{name: name for name in ACTIVATIONS if name != "identity"},
    "softmax": "softmax",
}


def linear(x):
    """f(x) = x"""
    return x


def relu(x):
    """f(x) = max(x, 0)"""
    return current().activation_forward(x, "relu")


def sigmoid(x):
    """f(x) = 1 / (1 + exp(-x))"""
    return current().activation_forward(x, "sigmoid")


def tanh(x):
    """f(x) = tanh(x)"""
    return current().activation_forward(x, "tanh")


def softmax(x):
    """f(x)[i] = exp(x[i]) / Σ_j exp(x[j]) over the last axis of a 2-D x."""
    return current().softmax(x)


def get(identifier):
    """The Keras name ('linear', 'relu', 'sigmoid', 'tanh', 'softmax') of an activation."""
    if identifier is None:
        return "linear"
    if callable(identifier) and not isinstance(identifier, str):
        name = getattr(identifier, "__name__", None)
        if _FUNCTIONS.get(name) is identifier:
            return name
        # Layers run fastnet's own activation kernels, not the function given:
        # taking another function by its name would silently compute ours.
        raise ValueError(
            f"activation {identifier!r}: fastnet.keras runs its own activation kernels and "
            f"cannot call a function of yours; pass a name from {sorted(_KERNEL_NAMES)} "
            f"(or fastnet.keras.activations.<name>) if that is what it computes"
        )
    # Names are matched exactly, as Keras 3 does: 'ReLU' is a layer's name, not an activation's.
    if isinstance(identifier, str) and identifier in _KERNEL_NAMES:
        return identifier
    near = identifier.strip().lower() if isinstance(identifier, str) else None
    hint = f" (did you mean {near!r}?)" if near in _KERNEL_NAMES else ""
    raise ValueError(
        f"unknown activation {identifier!r}{hint}; fastnet.keras supports "
        f"{sorted(_KERNEL_NAMES)}"
    )


def kernel_name(name):
    """The fastnet kernel name of a Keras activation name ('linear' -> 'identity')."""
    return _KERNEL_NAMES[name]


# The functions above by name: the only callables get() accepts.
_FUNCTIONS = {"linear": linear, "relu": relu, "sigmoid": sigmoid, "tanh": tanh,
              "softmax": softmax}
