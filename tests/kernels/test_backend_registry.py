"""Backend selection: set_backend, using_backend, FASTNET_BACKEND, errors."""

import os
import subprocess
import sys

import pytest

import fastnet
from fastnet.backend import current, reference
from fastnet.backend import cython as compiled

KERNEL_NAMES = [
    "gemm", "add", "bias_add", "column_sum", "activation_forward", "activation_backward",
    "softmax", "cross_entropy", "softmax_cross_entropy", "sigmoid_binary_cross_entropy",
    "mean_squared_error", "sgd_update", "momentum_update", "nesterov_update",
    "adagrad_update", "rmsprop_update", "adam_update",
]


def test_default_is_compiled():
    assert fastnet.get_backend() == "cython"
    assert "cython" in fastnet.available_backends()


def test_set_and_context():
    fastnet.set_backend("numpy")
    assert fastnet.get_backend() == "numpy"
    with fastnet.using_backend("cython") as b:
        assert b.name == "cython" and fastnet.get_backend() == "cython"
    assert fastnet.get_backend() == "numpy"


def test_unknown_backend_names_the_choices():
    with pytest.raises(ValueError, match="unknown backend 'tpu'.*cython"):
        fastnet.set_backend("tpu")


def test_environment_variable_selects_backend():
    code = "import fastnet; print(fastnet.get_backend())"
    env = dict(os.environ, FASTNET_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "numpy"


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_every_kernel_exists_in_every_backend(name):
    assert callable(getattr(reference, name))
    assert callable(getattr(compiled, name))
    assert callable(getattr(current(), name))


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_compiled_backend_does_not_reuse_the_reference(name):
    # A compiled kernel that quietly runs the NumPy reference is a stub.
    assert getattr(compiled, name) is not getattr(reference, name), (
        f"cython backend's {name} is still the NumPy reference"
    )
