"""KNOWN_DEFECTS: the one place where the fuzz skips cases, each row a filed defect.

Each row names the defect (an item of issue 10, or a defect this fuzz found
that the issue does not list) and says which cases hit it. Cases that match
a row are not run (a memory error could corrupt the process) but counted,
and `python -m fuzz --include-known` runs them anyway. When a fix lands,
delete its row: the fuzz then checks the fix on every case the row skipped.
"""

from collections import namedtuple

import numpy as np

from .case import parameter_names

# applies(case) -> bool; compiled_only: the GPU glue's cases still run.
KnownDefect = namedtuple("KnownDefect", "summary applies compiled_only", defaults=(True,))


def _arrays(case):
    """The array arguments, nested lists (valid on a CPU backend) as arrays."""
    return [a if isinstance(a, np.ndarray) else np.asarray(a) for a in case.args
            if isinstance(a, (np.ndarray, list))]


def _argument(case, name):
    names = parameter_names(case.kernel)
    return case.args[names.index(name)] if name in names[:len(case.args)] else None


def _non_finite(case):
    return any(a.dtype.kind == "f" and not np.isfinite(a).all() for a in _arrays(case))


def _no_classes(case):
    shape = np.shape(case.args[0]) if isinstance(case.args[0], (np.ndarray, list)) else ()
    return (case.kernel in ("softmax", "softmax_cross_entropy", "cross_entropy")
            and len(shape) == 2 and shape[1] == 0)


def _state_not_an_array(case):
    return case.kernel.endswith("_update") and any(
        not isinstance(_argument(case, name), (np.ndarray, type(None)))
        for name in ("param", "velocity", "h", "m", "v"))


def _huge_window_step(case):
    return any(isinstance(_argument(case, name), int) and _argument(case, name) > 10_000
               for name in ("pad", "stride"))


def _inf_through_flipped_filters(case):
    # fastnet.backend.cython.layout.flipped_filters: dx as a convolution of dout, zero-padded,
    # with the flipped filters; 0 · inf in that padding is NaN.
    if case.kernel not in ("conv_backward", "conv_pool_backward") or not _argument(
            case, "need_input_grad"):
        return False
    w = case.windows[0]
    return (w.stride == 1 and w.fh == w.fw and w.pad <= w.fh - 1 and w.c >= 8
            and _non_finite(case))


KNOWN_DEFECTS = {
    "fuzz A (not in issue 10)": KnownDefect(
        "softmax / softmax_cross_entropy of an (N, 0) array: NumPy's own error on the "
        "reference, an empty result on cython", _no_classes, compiled_only=False),
    "fuzz B (not in issue 10)": KnownDefect(
        "optimizer state given as a list or a float: the reference 'updates' that, cython "
        "raises TypeError('a bytes-like object is required')", _state_not_an_array,
        compiled_only=False),
    "fuzz C (not in issue 10)": KnownDefect(
        "a pad or stride of 10**6 passes the checks: the reference allocates an image "
        "that large and raises MemoryError", _huge_window_step, compiled_only=False),
    "fuzz D (not in issue 10)": KnownDefect(
        "conv_backward's dx by flipped filters turns an inf into NaN (0 * inf in the "
        "padding)", _inf_through_flipped_filters),
}


# Tests of the default suite that a sanitized build stops (.ci/run deselects
# them there, and only there): pytest node id -> the defect. Empty: none today.
SANITIZER_STOPS = {}


def known_defect(backend, case):
    """The id of the first known defect case hits, or None."""
    for defect_id, row in KNOWN_DEFECTS.items():
        if (backend == "cython" or not row.compiled_only) and row.applies(case):
            return defect_id
    return None
