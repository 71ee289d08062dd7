"""Backend registry: which kernels run, chosen by name.

    fastnet.set_backend("numpy")          # for the rest of the program
    with fastnet.using_backend("numpy"):  # for one block (this thread/context)
        ...
    FASTNET_BACKEND=numpy python train.py # from the environment

"numpy" is the readable reference, "cython" the compiled default, "cupy" the
GPU. Layers and networks call `current()` on every use and never branch on
the device themselves.
"""

import contextlib
import contextvars
import importlib
import os

from .checks import Backend
from .vocabulary import ACTIVATIONS

__all__ = [
    "ACTIVATIONS",
    "Backend",
    "available_backends",
    "current",
    "get_backend",
    "load",
    "set_backend",
    "using_backend",
]

# name -> module holding the raw kernels (the module is imported on first use,
# so importing fastnet never imports CuPy).
_IMPL_MODULES = {
    "numpy": "fastnet.backend.numpy",
    "cython": "fastnet.backend.cython",
    "cupy": "fastnet.backend.cupy",
}
_loaded = {}
_default = None
_override = contextvars.ContextVar("fastnet_backend", default=None)


def load(name):
    """The `Backend` called `name`, imported on first use."""
    if name not in _IMPL_MODULES:
        raise ValueError(
            f"unknown backend {name!r}; choose one of {sorted(_IMPL_MODULES)}"
        )
    if name not in _loaded:
        impl = importlib.import_module(_IMPL_MODULES[name])
        factory = getattr(impl, "make_backend", None)
        _loaded[name] = factory() if factory else Backend(name, impl)
    return _loaded[name]


def available_backends():
    """Names of the backends that load on this machine."""
    names = []
    for name in _IMPL_MODULES:
        try:
            load(name)
        except (ImportError, RuntimeError):
            continue
        names.append(name)
    return names


def _initial():
    requested = os.environ.get("FASTNET_BACKEND")
    if requested:
        return load(requested)
    from .. import _build_check

    return load("cython" if _build_check.compiled_available() else "numpy")


def current():
    """The Backend the next kernel call uses."""
    global _default
    backend = _override.get()
    if backend is not None:
        return backend
    if _default is None:
        _default = _initial()
    return _default


def set_backend(name):
    """Use backend `name` ("numpy", "cython" or "cupy") from now on."""
    global _default
    _default = load(name)


def get_backend():
    """The name of the backend in use."""
    return current().name


@contextlib.contextmanager
def using_backend(name):
    """Use backend `name` inside the with-block (in this thread/context only)."""
    token = _override.set(load(name))
    try:
        yield current()
    finally:
        _override.reset(token)
