"""Optimizer updates for the "cython" backend (placeholder: still the reference)."""
from .reference import (  # noqa: F401
    adagrad_update,
    adam_update,
    momentum_update,
    nesterov_update,
    rmsprop_update,
    sgd_update,
)
