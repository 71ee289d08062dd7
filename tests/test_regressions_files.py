"""Regression tests for issue 10, items 10, 11 (IDX), 13 and 14: threads, params files, data files.

One test per defect, each failing on the code before its fix. The bad files
are built here in tmp_path, small: a "bomb" is a small file that declares or
inflates to much more. Cases that would eat gigabytes on the old code run in
a child process with an address-space limit, so a regression fails the test
instead of the machine.
"""

import os
import re
import subprocess
import sys
import textwrap

import pytest

import fastnet
from fastnet import _openmp

resource = pytest.importorskip("resource", reason="address-space limits need POSIX")
MEMORY_CAP = 1 << 30  # bytes: importing NumPy and fastnet fits, a 600M-element array does not


def named(path):
    return re.escape(str(path))


def run_capped(code, env=None, cap=MEMORY_CAP, timeout=120):
    """Run `code` in a fresh Python whose address space is capped at `cap` bytes."""
    prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          env=env, capture_output=True, text=True, timeout=timeout)


# -- 10: set_num_threads and OMP_NUM_THREADS have an upper bound ------------------------

def test_set_num_threads_refuses_absurd_counts():
    with pytest.raises(ValueError, match=r"set_num_threads: n must be <= \d+ \(4 per CPU"):
        fastnet.set_num_threads(100000)


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: no threads")
def test_absurd_omp_num_threads_is_lowered_not_a_segfault():
    # Before: a 1000x1000 ReLU on 100000 OpenMP threads segfaulted (rc -11).
    code = """
        import numpy as np, fastnet
        from fastnet.layers import Relu
        print(float(Relu().forward(np.ones((1000, 1000))).sum()), fastnet.get_num_threads())
    """
    # Room for the allowed threads' stacks (8 MiB each by default) on any machine.
    cap = MEMORY_CAP + 4 * os.cpu_count() * (16 << 20)
    out = run_capped(code, env=dict(os.environ, OMP_NUM_THREADS="100000"), cap=cap)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1000000.0", str(4 * os.cpu_count())]
    assert "OMP_NUM_THREADS=100000 is more threads than fastnet allows" in out.stderr
