"""The book's chapter networks through its `common` package: NumPy vs fastnet.scratch.

    pytest benchmarks/bench_scratch.py --benchmark-group-by=group
    python benchmarks/run_book_script.py     # the same, end to end through `fastnet run`

Group `scratch_simpleconvnet_step`: one Adam step (gradient + update) of the
chapter-7-style SimpleConvNet (tests/scratch/scripts/ch07/simple_convnet.py,
unchanged) on 100 MNIST-sized images, float64 as in the book, with `common`
resolved to
  book-numpy       fastnet.book_numpy (plain NumPy, the book's algorithms)
  fastnet-scratch  fastnet.scratch (fastnet's compiled kernels)
Both start from the same weights; the first gradients are checked to agree
before timing. extra_info["speedup_vs_book_numpy"] is book-numpy's median
over fastnet-scratch's.
"""

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import fastnet.book_numpy
import fastnet.scratch

ROOT = Path(__file__).resolve().parent.parent
BOOK_NUMPY = Path(fastnet.book_numpy.__file__).parent  # the scripts' common and dataset
SIMPLE_CONVNET = ROOT / "tests" / "scratch" / "scripts" / "ch07" / "simple_convnet.py"
IMPLS = ["book-numpy", "fastnet-scratch"]
_medians = {}


def _book_modules():
    return {name: module for name, module in sys.modules.items()
            if name.split(".")[0] in ("common", "dataset")}


def load_chapter(impl):
    """(SimpleConvNet, Adam) of the chapter module, with `common` resolved per impl."""
    saved = _book_modules()
    for name in saved:
        del sys.modules[name]
    try:
        if impl == "book-numpy":
            sys.path.insert(0, str(BOOK_NUMPY))
            try:
                from common.optimizer import Adam
                namespace = runpy.run_path(str(SIMPLE_CONVNET))
            finally:
                sys.path.remove(str(BOOK_NUMPY))
        else:
            fastnet.scratch.install()
            from common.optimizer import Adam
            namespace = runpy.run_path(str(SIMPLE_CONVNET))
            fastnet.scratch.uninstall()
    finally:
        for name in _book_modules():
            del sys.modules[name]
        sys.modules.update(saved)
    return namespace["SimpleConvNet"], Adam


def batch():
    rng = np.random.default_rng(0)
    return rng.random((100, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 100)


@pytest.mark.parametrize("impl", IMPLS)
def test_simpleconvnet_step(benchmark, impl):
    benchmark.group = "scratch_simpleconvnet_step"
    x, t = batch()
    nets = {}
    for name in IMPLS:
        cls, _ = load_chapter(name)
        np.random.seed(0)
        nets[name] = cls()
    cls, Adam = load_chapter(impl)
    net, optimizer = nets[impl], Adam()

    # Correctness, outside the timed call: the same gradients as the NumPy code.
    expected = nets["book-numpy"].gradient(x, t)
    got = net.gradient(x, t)
    for key, g in expected.items():
        np.testing.assert_allclose(got[key], g, rtol=1e-7, atol=1e-10 * np.abs(g).max(),
                                   err_msg=f"{impl} {key}")

    def step():
        optimizer.update(net.params, net.gradient(x, t))

    benchmark(step)
    stats = getattr(benchmark, "stats", None)
    if stats is None:  # --benchmark-disable
        return
    _medians[impl] = stats.stats.median
    if impl != "book-numpy" and "book-numpy" in _medians:
        benchmark.extra_info["speedup_vs_book_numpy"] = _medians["book-numpy"] / _medians[impl]
