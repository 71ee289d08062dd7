"""Run fuzz cases in this process: build, call both sides, compare, count.

A case is named by (kernel, seed). The seed decides everything else: the
backend under test ("cython" or the GPU glue on a fake device), the
settings it runs under (threads, GEMM kernel and path, the convolution's
GEMM), the shapes, layouts, dtypes, values and geometry, and whether one
argument is made bad. So `python -m fuzz --replay KERNEL SEED` rebuilds a
failing case exactly (with the same FASTNET_SIMD / FASTNET_CONV_DIRECT).
"""

import os
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from _fake_device import FAKE_GPU_NAME, make_fake_gpu_backend
from _host_bridge import HostBridge

import fastnet
from fastnet.backend import load
from fastnet.backend.cython import conv as compiled_conv
from fastnet.backend.cython.gemm import (
    PATHS,
    available_kernels,
    get_kernel,
    get_path,
    set_kernel,
    set_path,
)
from fastnet.backend.vocabulary import SIMD_ENV

from .case import Draw
from .cases_conv import BUILDERS as CONV_BUILDERS
from .cases_dense import BUILDERS as DENSE_BUILDERS
from .cases_numgrad import BUILDERS as NUMGRAD_BUILDERS
from .cases_numgrad import NumgradOn
from .compare import compare_calls
from .known_defects import known_defect
from .spoil import spoil

BUILDERS = {**DENSE_BUILDERS, **CONV_BUILDERS, **NUMGRAD_BUILDERS}
KERNELS = tuple(sorted(BUILDERS))
# Four cases in five test the compiled backend; the GPU glue is mostly
# Python over the same reference math, so one in five suffices for it.
BACKEND_DRAW = ("cython", "cython", "cython", "cython", FAKE_GPU_NAME)
# The environment a failing case needs again to reproduce (read once, in C).
REPRODUCE_ENV = (SIMD_ENV, "FASTNET_CONV_DIRECT")


@dataclass
class Settings:
    """The global switches a compiled call runs under (drawn per case)."""

    threads: int
    gemm_kernel: str
    gemm_path: str
    conv_gemm: str

    @classmethod
    def draw(cls, d):
        kernels = list(available_kernels())
        settings = cls(threads=1 if d.coin(0.6) else 2, gemm_kernel=d.pick(kernels),
                       gemm_path=d.pick(PATHS),
                       conv_gemm=d.pick(("auto", "fastnet", "numpy")))
        if d.tight:  # the widest vectors, in fastnet's own code, overhang the most
            settings.gemm_kernel, settings.gemm_path, settings.conv_gemm = (
                kernels[0], "fastnet", "fastnet")
        return settings

    def apply(self):
        if fastnet.get_num_threads() != self.threads:
            fastnet.set_num_threads(self.threads)
        set_kernel(self.gemm_kernel)
        set_path(self.gemm_path)
        compiled_conv.CONV_GEMM = self.conv_gemm

    def __str__(self):
        return (f"threads={self.threads} gemm kernel={self.gemm_kernel} "
                f"gemm path={self.gemm_path} conv gemm={self.conv_gemm}")


def build(kernel, seed, backend=None):
    """(backend name, settings, case) of case (kernel, seed); `backend` forces one."""
    d = Draw(seed)
    drawn = d.pick(BACKEND_DRAW) if kernel not in NUMGRAD_BUILDERS else "cython"
    d.device = (backend or drawn) != "cython"
    settings = Settings.draw(d)
    with np.errstate(all="ignore"):  # values like exp(1000) are drawn on purpose
        case = BUILDERS[kernel](d)
    if d.coin(0.05):
        spoil(d, case)
    return backend or drawn, settings, case


_backends = {}


def backend_named(name, kernel=None):
    """The backend under test: "cython", or a GPU backend seen through a HostBridge
    (for a numgrad kernel, fastnet.numgrad.kernels with that backend current)."""
    if kernel in NUMGRAD_BUILDERS:
        return NumgradOn(name)
    if name not in _backends:
        if name == FAKE_GPU_NAME:
            _backends[name] = HostBridge(make_fake_gpu_backend())
        elif name == "cupy":
            _backends[name] = HostBridge(load("cupy"))
        else:
            _backends[name] = load(name)
    return _backends[name]


def call(backend, case, np_seed):
    """(result, None) or (None, exception) of one kernel call, warnings silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        np.random.seed(np_seed)  # dropout_mask draws from NumPy's global generator
        try:
            return getattr(backend, case.kernel)(*case.args, **case.kwargs), None
        except Exception as exc:  # noqa: BLE001 - every error is compared
            return None, exc


def reproducer(kernel, seed, backend=None, include_known=False):
    env = " ".join(f"{k}={os.environ[k]}" for k in REPRODUCE_ENV if os.environ.get(k))
    return ((env + " " if env else "") + f"PYTHONPATH=tests python -m fuzz --replay {kernel} "
            f"{seed}" + (f" --backend {backend}" if backend else "")
            + (" --include-known" if include_known else ""))


@dataclass
class Outcome:
    """How one case went: passed, skipped for a known defect, or failed (message)."""

    defect: str = None  # the known defect the case hits, if any
    message: str = None  # why it failed; None when it passed or was skipped
    skipped: bool = False


def run_case(kernel, seed, backend=None, include_known=False):
    """The Outcome of case (kernel, seed)."""
    name, settings, case = build(kernel, seed, backend)
    defect = known_defect(name, case)
    if defect and not include_known:
        return Outcome(defect, skipped=True)
    expected_case = build(kernel, seed, backend)[2]
    np_seed = seed % 2**32
    expected = call(backend_named("numpy", kernel), expected_case, np_seed)
    if name == "cython":
        settings.apply()
    actual = call(backend_named(name, kernel), case, np_seed)
    with np.errstate(all="ignore"):  # inf - inf while comparing is not news
        problems = compare_calls(case, expected, actual, expected_case.args, case.args)
    if not problems:
        return Outcome(defect)
    return Outcome(defect, (
        f"{kernel} on {name!r} disagrees with the reference (seed {seed}; {settings})\n"
        + case.describe() + "\n  " + "\n  ".join(problems)
        + (f"\n  known defect: {defect}" if defect else "")
        + "\n  reproduce: " + reproducer(kernel, seed, backend, bool(defect))))


@dataclass
class Report:
    """What a run found. Known defects: `skipped` counts the cases not run,
    `confirmed` the cases run anyway (--include-known) that failed, `first_seen`
    after how many cases and seconds each first failed, `examples` its message."""

    cases: int = 0
    seconds: float = 0.0
    skipped: dict = field(default_factory=dict)
    confirmed: dict = field(default_factory=dict)
    first_seen: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # messages of the unexplained failures

    def record(self, outcome, index, seconds):
        """Count a skipped or failing case, the index-th of the run, `seconds` into it."""
        if outcome.skipped:
            _count(self.skipped, outcome.defect)
        elif outcome.message and outcome.defect:
            _count(self.confirmed, outcome.defect)
            self.first_seen.setdefault(outcome.defect, (index, round(seconds, 1)))
            self.examples.setdefault(outcome.defect, outcome.message)
        elif outcome.message:
            self.failures.append(outcome.message)

    def add(self, later):
        """Merge the report of a run that came after this one."""
        for defect, (cases, seconds) in later.first_seen.items():
            self.first_seen.setdefault(defect, (self.cases + cases, self.seconds + seconds))
        for defect, message in later.examples.items():
            self.examples.setdefault(defect, message)
        self.cases += later.cases
        self.seconds += later.seconds
        self.failures += later.failures
        for mine, theirs in ((self.skipped, later.skipped), (self.confirmed, later.confirmed)):
            for key, count in theirs.items():
                _count(mine, key, count)


def _count(counts, key, n=1):
    counts[key] = counts.get(key, 0) + n


def run(cases, backend=None, include_known=False, deadline=None, before_each=None,
        after_each=None):
    """Run (kernel, seed) pairs until done or time.monotonic() passes `deadline`.

    before_each(kernel, seed) and after_each(outcome, index, seconds) let a
    worker process leave a trace that outlives it."""
    report = Report()
    start = time.monotonic()
    threads = fastnet.get_num_threads()
    gemm_state = get_kernel(), get_path(), compiled_conv.CONV_GEMM
    try:
        for kernel, seed in cases:
            if deadline is not None and time.monotonic() > deadline:
                break
            if before_each is not None:
                before_each(kernel, seed)
            outcome = run_case(kernel, seed, backend, include_known)
            report.cases += 1
            report.record(outcome, report.cases, time.monotonic() - start)
            if after_each is not None and (outcome.defect or outcome.message):
                after_each(outcome, report.cases, time.monotonic() - start)
    finally:
        fastnet.set_num_threads(threads)
        set_kernel(gemm_state[0])
        set_path(gemm_state[1])
        compiled_conv.CONV_GEMM = gemm_state[2]
    report.seconds = time.monotonic() - start
    return report
