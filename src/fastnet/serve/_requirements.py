"""The packages of the "serve" extra, checked on import with a message saying how to get them."""

import importlib.util

__all__ = ["MISSING_HINT", "missing", "require"]

PACKAGES = {"starlette": "starlette", "uvicorn": "uvicorn", "PIL": "Pillow",
            "python_multipart": "python-multipart"}
MISSING_HINT = 'fastnet serve needs the "serve" extra: pip install "fastnet[serve]"'


def missing():
    """The distribution names of the extra's packages that are not installed."""
    return [dist for module, dist in PACKAGES.items() if importlib.util.find_spec(module) is None]


def require():
    absent = missing()
    if absent:
        raise ImportError(f"{MISSING_HINT} (missing: {', '.join(absent)})")
