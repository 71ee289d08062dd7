"""Running a book script unchanged: `fastnet run` and `python -m fastnet.scratch`.

    fastnet run ch05/train_neuralnet.py [ARGS...]
    python -m fastnet.scratch ch05/train_neuralnet.py [ARGS...]

`run_script` does the work; `main` is the command line of both (the `fastnet`
command adds `run` with `add_arguments` and calls `run`).
"""

import argparse
import os
import runpy
import sys
import warnings

from .aliases import install, installed, uninstall
from .precision import get_dtype, set_dtype

__all__ = ["BOOK_OPTIONAL_PACKAGES", "DESCRIPTION", "HELP", "add_arguments", "main", "run",
           "run_script"]

HELP = "run a script of the book 'Deep Learning from Scratch' on fastnet"
DESCRIPTION = ("Run SCRIPT.py unchanged, as if from its chapter folder, with the "
               "book's `common` and `dataset` packages resolved to fastnet.scratch. "
               "Arguments after SCRIPT.py go to the script.")
# Packages some of the book's scripts import that fastnet does not depend on.
BOOK_OPTIONAL_PACKAGES = {
    "matplotlib": "pip install matplotlib (or fastnet[plot])",
    "PIL": "pip install pillow",
}


def add_arguments(parser):
    """Give `parser` the arguments of `fastnet run`: SCRIPT.py and the script's own."""
    parser.add_argument("--float32", action="store_true",
                        help="compute the book's Affine and Convolution layers in float32: "
                        "faster, but with float32's rounding instead of float64's (the "
                        "default is the book's own float64 arithmetic)")
    parser.add_argument("script", metavar="SCRIPT.py", help="the book script to run")
    rest = parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                               help="arguments passed on to the script (its sys.argv[1:])")
    # argparse counts a REMAINDER positional as required, so a missing SCRIPT.py
    # was reported as "required: SCRIPT.py, ARGS"; the script's arguments are optional.
    rest.required = False


def main(argv=None):
    """`python -m fastnet.scratch SCRIPT.py [ARGS...]`; returns the exit status."""
    parser = argparse.ArgumentParser(prog="fastnet run", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.script, args.args, float32=args.float32)


def run(script, args=(), float32=False):
    """Run the book script `script` with `args` (its layers in float32 when `float32`); the
    exit status, with the errors a user meets (no such script, a plotting package not
    installed) said in one line on stderr."""
    if not os.path.isfile(script):
        print(f"fastnet run: error: no such script: {script}", file=sys.stderr)
        return 2
    try:
        run_script(script, args, dtype="float32" if float32 else "float64")
    except ModuleNotFoundError as exc:
        # The book's scripts plot with matplotlib and read images with PIL;
        # fastnet needs neither, so say how to get them.
        package = (exc.name or "").split(".")[0]
        if package not in BOOK_OPTIONAL_PACKAGES:
            raise
        print(f"fastnet run: error: {script} needs {package!r}, which is not "
              f"installed: {BOOK_OPTIONAL_PACKAGES[package]}", file=sys.stderr)
        return 1
    return 0


def run_script(path, args=(), dtype="float64"):
    """Run the book script `path` as `__main__`, as if from its chapter folder.

    Installs the aliases (computing the book's layers in `dtype`: see
    fastnet.scratch.install), sets sys.argv to [path, *args], makes the script's
    folder the working directory and sys.path[0] (so chapter-local modules
    import), and selects matplotlib's non-interactive "Agg" backend unless
    MPLBACKEND is set (so plotting scripts run headless). Afterwards the
    working directory, sys.argv and sys.path are restored, the book's names
    in sys.modules are what they were (still aliased only if install() was
    called before), and modules the script imported from its folder or the
    folder above are forgotten, so the next script's `two_layer_net` is its
    own. Returns the script's globals. A `sys.exit()` in the script
    propagates as SystemExit.
    """
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such script: {path}")
    folder = os.path.dirname(path)
    previous_dtype, aliased_before = get_dtype(), installed()
    install(dtype)
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
        if not aliased_before:
            uninstall()
        set_dtype(previous_dtype)
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
