"""The book's module names (`common`, `common.layers`, ..., `dataset.mnist`) as aliases.

`install()` imports fastnet.scratch.common.* and fastnet.scratch.dataset.*
and enters each module in `sys.modules` under its book name. Python's import
looks in `sys.modules` BEFORE it searches `sys.path`, so a book script's
`sys.path.append(os.pardir)` changes nothing (see fastnet.scratch).
"""

import importlib
import sys

from .precision import set_dtype

__all__ = ["BOOK_MODULES", "install", "installed", "uninstall"]

_PACKAGE = __package__  # "fastnet.scratch": the aliases name its submodules

# The book's module names, each an alias of fastnet.scratch.<name>.
BOOK_MODULES = (
    "common",
    "common.functions",
    "common.gradient",
    "common.util",
    "common.layers",
    "common.optimizer",
    "common.multi_layer_net",
    "common.multi_layer_net_extend",
    "common.trainer",
    "dataset",
    "dataset.mnist",
)

# What sys.modules held under the book's names before install() (None: nothing).
_replaced = {}


def install(dtype="float64"):
    """Make `import common...` and `import dataset...` give fastnet's modules.

    dtype: "float64", the book's own arithmetic, or "float32", which makes
    the book's Affine and Convolution compute in float32: faster, with other
    numbers (see fastnet.scratch.precision). Idempotent. Whatever sys.modules
    held under those names before is put back by `uninstall()`, which also
    returns to float64.
    """
    set_dtype(dtype)
    for name in BOOK_MODULES:
        module = importlib.import_module(f"{_PACKAGE}.{name}")
        current = sys.modules.get(name)
        if current is module:
            continue
        _replaced.setdefault(name, current)
        sys.modules[name] = module


def installed():
    """True when the book's module names resolve to fastnet.scratch."""
    return all(
        getattr(sys.modules.get(name), "__name__", None) == f"{_PACKAGE}.{name}"
        for name in BOOK_MODULES
    )


def uninstall():
    """Undo `install()`: the book's names resolve as they did before (float64 again)."""
    set_dtype("float64")
    for name, previous in _replaced.items():
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
    _replaced.clear()
