"""Run the book's scripts on fastnet: the `common` and `dataset` packages, and a runner.

"Deep Learning from Scratch" ships chapter folders (ch01 ... ch08) whose
scripts do `sys.path.append(os.pardir)` and then `from common.layers import
*` or `from dataset.mnist import load_mnist`. fastnet.scratch provides those
two packages with the book's names and contracts (see docs/BOOK_API.md)
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

aliases.py does the aliasing, runner.py runs a script (for `fastnet run`
and `python -m fastnet.scratch`), common/ and dataset/ are the book's packages.
"""

from .aliases import BOOK_MODULES, install, installed, uninstall
from .runner import run_script

__all__ = ["BOOK_MODULES", "install", "installed", "run_script", "uninstall"]
