"""The quick fuzz profile: every kernel of every backend against the reference.

FASTNET_FUZZ_QUICK_CASES cases per kernel (100 by default, 3,300 in all), the
same (kernel, seed) cases on every run, so a failure here reproduces with
the command its message prints. The long profile (`python -m fuzz`, run by
.ci/run) draws 10**5 cases from a new seed each time. The last tests check
the fuzz itself: that it sees a wrong kernel, a wrong error type and a crash.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from fastnet.backend.checks import Backend
from fastnet.numgrad import kernels as numgrad_kernels

from . import runner
from .known_defects import KNOWN_DEFECTS

CASES_PER_KERNEL = int(os.environ.get("FASTNET_FUZZ_QUICK_CASES", 100))
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seeds(kernel, count=CASES_PER_KERNEL):
    """The seeds the long profile would give `kernel` (it cycles through KERNELS)."""
    index = runner.KERNELS.index(kernel)
    return [i * len(runner.KERNELS) + index for i in range(count)]


def test_every_kernel_is_fuzzed():
    public = {name for name in dir(Backend) if not name.startswith("_")
              and callable(getattr(Backend, name))} - {"asarray", "to_device"}
    # and the numerical-gradient kernels, which are functions, not backend methods
    assert public | set(numgrad_kernels.__all__) == set(runner.BUILDERS)


@pytest.mark.parametrize("kernel", runner.KERNELS)
def test_kernel_agrees_with_reference(kernel):
    report = runner.run((kernel, seed) for seed in seeds(kernel))
    assert report.cases == CASES_PER_KERNEL
    assert not report.failures, f"{len(report.failures)} failing cases:\n\n" + "\n\n".join(
        report.failures[:5])


def test_known_defects_name_their_cases():
    for defect, row in KNOWN_DEFECTS.items():
        assert defect.startswith(("issue 10 item", "fuzz ")) and row.summary


# ------------------------------------------------------- the fuzz itself


class _Broken:
    """The cython backend with one defect planted in `kernel`."""

    def __init__(self, kernel, plant):
        self._backend = runner.backend_named("cython")
        self._kernel = kernel
        self._plant = plant

    def __getattr__(self, name):
        kernel = getattr(self._backend, name)
        return self._plant(kernel) if name == self._kernel else kernel


def _drops_last_row(kernel):
    def column_sum(x):
        return kernel(x[:-1]) if len(x) > 1 else kernel(x)
    return column_sum


def _wrong_error_type(kernel):
    def im2col(*args):
        try:
            return kernel(*args)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from None
    return im2col


@pytest.mark.parametrize("kernel, plant, expected", [
    ("column_sum", _drops_last_row, "values differ"),
    ("im2col", _wrong_error_type, "RuntimeError"),
])
def test_fuzz_sees_a_planted_defect(monkeypatch, kernel, plant, expected):
    monkeypatch.setitem(runner._backends, "cython", _Broken(kernel, plant))
    report = runner.run((kernel, seed) for seed in seeds(kernel, 200))
    assert report.failures, "the fuzz missed a planted defect"
    failure = report.failures[0]
    assert expected in failure and "reproduce: " in failure and "seed" in failure


class _SkipsLastRow:
    """fastnet._numgrad with a planted defect: series_sum leaves out the batch's last row."""

    def __init__(self, compiled):
        self._compiled = compiled

    def __getattr__(self, name):
        return getattr(self._compiled, name)

    def series_sum(self, X, *args):
        X = X.copy()
        X[-1:] = 0.0
        return self._compiled.series_sum(X, *args)


def test_fuzz_sees_a_planted_defect_in_a_numgrad_kernel(monkeypatch):
    monkeypatch.setattr(numgrad_kernels, "_compiled", _SkipsLastRow(numgrad_kernels._compiled))
    report = runner.run(("series_sum", seed) for seed in seeds("series_sum", 100))
    assert report.failures, "the fuzz missed a planted defect"
    assert "values differ" in report.failures[0]


def _long_profile(*options):
    return subprocess.run([sys.executable, "-m", "fuzz", *options], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": TESTS}, timeout=600)


def test_long_profile_runs_every_simd_variant():
    result = _long_profile("--cases", str(3 * len(runner.KERNELS)), "--seed", "7")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"fuzz: {3 * len(runner.KERNELS)} cases" in result.stdout
    assert "{'FASTNET_SIMD': 'portable'}" in result.stdout


def test_simd_variants_and_reproducers_name_the_variable_read_first(monkeypatch):
    # The workers set FASTNET_ELEMENTWISE_SIMD, an old name that FASTNET_SIMD
    # overrides: with FASTNET_SIMD in the user's environment, every variant
    # ran that one level, and the reproducer left FASTNET_SIMD out.
    from .__main__ import variants

    assert {name for env in variants() for name in env} == {"FASTNET_SIMD",
                                                            "FASTNET_CONV_DIRECT"}
    monkeypatch.setenv("FASTNET_SIMD", "portable")
    assert runner.reproducer("gemm", 3).startswith("FASTNET_SIMD=portable PYTHONPATH=tests")


def test_long_profile_reports_a_crash_and_goes_on():
    kernels = "gemm,softmax"
    result = _long_profile("--cases", "12", "--seed", "0", "--kernels", kernels,
                           "--abort-at", "1")
    assert result.returncode == 1
    assert "CRASH: the worker exited with status -6 during case softmax 1\n" in result.stdout
    assert "reproduce: PYTHONPATH=tests python -m fuzz --replay softmax 1" in result.stdout
    assert "fuzz: 12 cases" in result.stdout, result.stdout  # the rest ran after the crash


def test_long_profile_kills_a_hung_worker_and_goes_on():
    result = _long_profile("--cases", "12", "--seed", "0", "--kernels", "gemm,softmax",
                           "--hang-at", "2", "--case-seconds", "3")
    assert result.returncode == 1
    assert ("CRASH: the worker hung (killed after 3 s without a new case) during case gemm 2"
            in result.stdout), result.stdout
    assert "fuzz: 12 cases" in result.stdout, result.stdout


def test_replay_rebuilds_the_same_case():
    first = runner.build("conv_backward", 12345)[2]
    again = runner.build("conv_backward", 12345)[2]
    assert first.describe() == again.describe()
    for a, b in zip(first.args, again.args):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
