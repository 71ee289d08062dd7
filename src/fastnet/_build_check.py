"""Is the compiled extension there? Say clearly when it is not.

A source checkout imported without building, or a wheel built for another
Python, has no compiled modules. fastnet then falls back to the "numpy"
backend with one warning instead of a traceback into Cython internals.
"""

import importlib
import warnings

COMPILED_MODULES = ("_openmp", "_gemm", "_elementwise", "_losses", "_optimizers", "_conv",
                    "_norm", "_embedding")

_BUILD_HINT = (
    "build it with `pip install .` (or, for development, "
    "`pip install --no-build-isolation -Ceditable.rebuild=true -e .`)"
)

_missing = None


def missing_modules():
    """The compiled modules that do not import, with the reason for each."""
    global _missing
    if _missing is None:
        _missing = []
        for name in COMPILED_MODULES:
            try:
                importlib.import_module(f"fastnet.{name}")
            except ImportError as exc:
                _missing.append(f"fastnet.{name} ({exc})")
    return _missing


def compiled_available():
    """True when every compiled module imports; warns (once) when not."""
    missing = missing_modules()
    if missing and not getattr(compiled_available, "warned", False):
        compiled_available.warned = True
        warnings.warn(
            "fastnet's compiled kernels are not built, so the slow 'numpy' reference "
            f"backend is used: missing {', '.join(missing)}; {_BUILD_HINT}.",
            RuntimeWarning,
            stacklevel=3,
        )
    return not missing


def require_compiled():
    """Raise a readable ImportError when the compiled kernels are missing."""
    missing = missing_modules()
    if missing:
        raise ImportError(
            f"the 'cython' backend needs fastnet's compiled kernels; missing "
            f"{', '.join(missing)}; {_BUILD_HINT}."
        )
