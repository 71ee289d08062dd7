"""Run the book's scripts on fastnet: the `common` and `dataset` packages, and a runner.

"Deep Learning from Scratch" ships chapter folders (ch01 ... ch08) whose
scripts do `sys.path.append(os.pardir)` and then `from common.layers import
*` or `from dataset.mnist import load_mnist`. fastnet.scratch provides those
two packages with the book's names and contracts (see ../shared/BOOK_API.md)
on fastnet's kernels, and two ways to use them:

    fastnet run ch05/train_neuralnet.py [ARGS...]   # from a shell
    python -m fastnet.scratch ch05/train_neuralnet.py [ARGS...]

    import fastnet.scratch
    fastnet.scratch.install()    # in a notebook: `import common.layers` is now fastnet's
    from common.layers import Affine

How the aliasing works, and why it wins over the book's own folders:
`install()` imports fastnet.scratch.common.* and fastnet.scratch.dataset.*
and enters each module in `sys.modules` under its book name (`common`,
`common.layers`, ..., `dataset.mnist`). Python's import looks in
`sys.modules` BEFORE it searches `sys.path`, so the `sys.path.append(os.pardir)`
of a book script changes nothing: even with the book's real `common/` folder
next to the chapter folder, `import common.layers` gives fastnet's module.
Chapter-local modules (`two_layer_net.py`, `simple_convnet.py`, ...) are not
aliased; they load from the script's folder as usual and build their
networks from fastnet's layers. A top-level package of your own called
`common` or `dataset` is shadowed while installed; `uninstall()` undoes it.
"""

import importlib
import os
import runpy
import sys
import warnings

__all__ = ["BOOK_MODULES", "install", "installed", "run_script", "uninstall"]

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


def install():
    """Make `import common...` and `import dataset...` give fastnet's modules.

    Idempotent. Whatever sys.modules held under those names before is put
    back by `uninstall()`.
    """
    for name in BOOK_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        current = sys.modules.get(name)
        if current is module:
            continue
        _replaced.setdefault(name, current)
        sys.modules[name] = module


def installed():
    """True when the book's module names resolve to fastnet.scratch."""
    return all(
        getattr(sys.modules.get(name), "__name__", None) == f"{__name__}.{name}"
        for name in BOOK_MODULES
    )


def uninstall():
    """Undo `install()`: the book's names resolve as they did before."""
    for name, previous in _replaced.items():
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
    _replaced.clear()


def run_script(path, args=()):
    """Run the book script `path` as `__main__`, as if from its chapter folder.

    Installs the aliases, sets sys.argv to [path, *args], makes the script's
    folder the working directory and sys.path[0] (so chapter-local modules
    import), and selects matplotlib's non-interactive "Agg" backend unless
    MPLBACKEND is set (so plotting scripts run headless). Afterwards the
    working directory, sys.argv and sys.path are restored, and modules the
    script imported from its folder or the folder above are forgotten, so
    the next script's `two_layer_net` is its own. Returns the script's
    globals. A `sys.exit()` in the script propagates as SystemExit.
    """
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such script: {path}")
    folder = os.path.dirname(path)
    install()
    os.environ.setdefault("MPLBACKEND", "Agg")
    saved_argv, saved_path, saved_cwd = sys.argv, list(sys.path), os.getcwd()
    modules_before = set(sys.modules)
    sys.argv = [path, *args]
    sys.path.insert(0, folder)
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            # plt.show() under "Agg" warns that it cannot show; headless, that is the point.
            warnings.filterwarnings("ignore", message=".*non-interactive.*cannot be shown")
            return runpy.run_path(path, run_name="__main__")
    finally:
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        sys.path[:] = saved_path
        _forget_modules_from({folder, os.path.dirname(folder)}, modules_before)


def _forget_modules_from(folders, keep):
    """Drop modules imported (not kept) from files directly in one of `folders`."""
    for name in set(sys.modules) - keep:
        file = getattr(sys.modules[name], "__file__", None)
        if not file:
            continue
        where = os.path.dirname(os.path.abspath(file))
        if os.path.basename(file) == "__init__.py":  # a package: look where it lies
            where = os.path.dirname(where)
        if where in folders:
            del sys.modules[name]
