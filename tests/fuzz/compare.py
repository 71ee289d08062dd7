"""Compare one kernel call on a backend with the reference's: results, in-place
updates, and errors.

Tolerance, per output array: RTOL·|expected| + ATOL·√length·max(|expected|,
floor), with RTOL / ATOL of the output's dtype from tests/_tolerances.py. The
second term is rounding noise relative to the largest value of the output:
kernels reorder their sums (blocks, SIMD lanes, threads), and a sum of
`length` terms rounds by about √length ulps of its terms. NaN must meet NaN,
an infinity the same infinity; integer outputs (arg_max) must match exactly.
Values closer than the dtype's smallest normal number agree (subnormals may
be flushed to zero).
"""

import math

import numpy as np
from _tolerances import ATOL, RTOL

from fastnet.backend import load

from .case import parameter_names

# Errors a bad argument may raise; anything else from the reference is itself
# a finding (its checks let bad input through to a kernel).
INPUT_ERRORS = (ValueError, TypeError)
# Kernels whose checks promise a ValueError rather than a NaN or inf result.
FINITE_OR_ERROR = ("softmax", "cross_entropy", "softmax_cross_entropy",
                   "sigmoid_binary_cross_entropy", "mean_squared_error")


def _tolerances(dtype):
    kind = np.float32 if np.dtype(dtype) == np.float32 else np.float64
    return RTOL[kind], ATOL[kind]


def _as_array(value, working_dtype):
    # A loss comes back as a Python float, but it is only as precise as the
    # dtype it was computed in.
    if type(value) is float:
        return np.asarray(value).astype(working_dtype)
    return np.asarray(value) if isinstance(value, (int, np.generic)) else value


def working_dtype(args):
    """The float dtype the kernel computes in: NumPy's rule over the float arguments."""
    floats = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    return np.result_type(*floats).newbyteorder("=") if floats else np.dtype(np.float64)


def _same_type(a, b):
    # Byte order is not part of the answer: a result in non-native order is fine
    # as long as its values are right (they are compared after conversion).
    return a.kind == b.kind and a.itemsize == b.itemsize


def compare_values(label, actual, expected, length, floor, dtype=np.float64):
    """A problem with one output as a line of text, or None when it matches."""
    actual, expected = _as_array(actual, dtype), _as_array(expected, dtype)
    if expected is None or actual is None:
        return None if actual is expected else f"{label}: got {actual!r}, expected {expected!r}"
    if not isinstance(actual, np.ndarray) or not isinstance(expected, np.ndarray):
        return f"{label}: got {type(actual).__name__}, expected {type(expected).__name__}"
    if actual.shape != expected.shape or not _same_type(actual.dtype, expected.dtype):
        return (f"{label}: got shape {actual.shape} dtype {actual.dtype}, expected shape "
                f"{expected.shape} dtype {expected.dtype}")
    if expected.dtype.kind != "f":
        bad = actual != expected
        tol = 0
    else:
        rtol, atol = _tolerances(expected.dtype)
        e, a = expected.astype(np.float64), actual.astype(np.float64)
        finite = np.isfinite(e)
        top = float(np.abs(e[finite]).max(initial=0.0))
        # + tiny: a result below the dtype's smallest normal number may be flushed
        # to zero (the compiled exp does), which no computation downstream can tell.
        tol = (rtol * np.abs(e) + atol * math.sqrt(max(length, 1)) * max(top, floor)
               + float(np.finfo(expected.dtype).tiny))
        with np.errstate(invalid="ignore"):
            close = np.abs(a - e) <= tol
        bad = ~(close | (np.isnan(a) & np.isnan(e)) | (a == e))
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    tol_here = float(np.broadcast_to(tol, bad.shape)[index])
    return (f"{label}: {int(bad.sum())} of {bad.size} values differ; first at {index}: "
            f"got {actual[index]!r}, expected {expected[index]!r} (tolerance {tol_here:.3g})")


def _outputs(result):
    """A kernel's result as a list of values: a tuple's items, or the one value."""
    return list(result) if isinstance(result, tuple) else [result]


def compare_calls(case, expected, actual, expected_args, actual_args):
    """Every problem of one call, as lines of text (empty when the backend agrees).

    expected / actual: (result, exception) of the reference and the backend;
    *_args: the arguments each was called with, compared after the call (the
    in-place updates of optimizers and batch norm; and nothing else may change).
    """
    (want, want_exc), (got, got_exc) = expected, actual
    if want_exc is not None:
        if got_exc is None:
            return [f"the reference raised {want_exc!r} but the backend returned"]
        problems = []
        if not isinstance(want_exc, INPUT_ERRORS):
            problems.append(f"the reference raised {type(want_exc).__name__}, not "
                            f"ValueError/TypeError: {want_exc}")
        if type(got_exc) is not type(want_exc):
            problems.append(f"the backend raised {got_exc!r} where the reference raised "
                            f"{want_exc!r}")
        return problems
    if got_exc is not None:
        return [f"the backend raised {got_exc!r} where the reference returned"]
    want, got = _outputs(want), _outputs(got)
    if len(want) != len(got):
        return [f"{len(got)} results, expected {len(want)}"]
    broken_promise = [f"the reference returned a NaN or inf in result {i} without an error"
                      for i, w in enumerate(want)
                      if case.kernel in FINITE_OR_ERROR and not np.isfinite(w).all()]
    if case.kernel == "conv_pool_forward" and len(want) == 2:
        got[1] = _forgive_near_ties(case, expected_args, got[1], want[1])
    dtype = working_dtype(expected_args)
    floors = case.floor if isinstance(case.floor, tuple) else (case.floor,) * len(want)

    def results(floors):
        return [compare_values(f"result {i}", g, w, case.length, f, dtype)
                for i, (g, w, f) in enumerate(zip(got, want, floors))]

    problems = results(floors)
    if any(problems) and case.kernel in ACTIVATED and _activation(case) != "identity":
        # act() squashes large sums (sigmoid of ±1e4), but their rounding shows
        # through near 0: measure the noise on the sums before the activation.
        floors = (_linear_magnitude(case, expected_args),) + floors[1:]
        problems = results(floors)
    floor = 0.0 if isinstance(case.floor, tuple) else case.floor
    problems += [compare_values(f"argument {i} after the call", g, w, case.length, floor)
                 for i, (g, w) in enumerate(zip(actual_args, expected_args))
                 if isinstance(w, np.ndarray)]
    return broken_promise + [p for p in problems if p]


# Kernels whose first result is act(a sum of products), and how to get the sum.
ACTIVATED = ("gemm", "conv_forward", "conv_pool_forward")


def _activation(case):
    return case.args[parameter_names(case.kernel).index("activation")]


def _linear_magnitude(case, args):
    """The largest |value| of the kernel's sums before its activation."""
    reference = load("numpy")
    if case.kernel == "gemm":
        a, b, bias, _, trans_a, trans_b = args
        linear = reference.gemm(a, b, bias, "identity", trans_a, trans_b)
    else:
        linear = reference.conv_forward(*args[:5], "identity")
    finite = np.abs(linear[np.isfinite(linear)])
    return float(finite.max(initial=0.0))


def _forgive_near_ties(case, args, got, want):
    """The backend's arg_max, with each winner that differs from the reference's
    replaced by the reference's when the two convolution outputs are equal within
    the tolerance: the convolution rounds differently, so a near-tie may go
    either way (the pooled values themselves are still compared)."""
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        return got
    differ = got != want
    if not differ.any():
        return got
    reference = load("numpy")
    x, W, b, stride, pad, activation, pool = args
    conv = reference.conv_forward(x, W, b, stride, pad, activation)
    ph, pw, pstride, ppad = pool
    n, fn, oh, ow = want.shape
    windows = reference.im2col(conv, ph, pw, pstride, ppad).reshape(n, oh, ow, fn, ph * pw)
    windows = windows.transpose(0, 3, 1, 2, 4).astype(np.float64)
    at_got = np.take_along_axis(windows, got[..., None].astype(np.intp), 4)[..., 0]
    at_want = np.take_along_axis(windows, want[..., None].astype(np.intp), 4)[..., 0]
    rtol, atol = _tolerances(conv.dtype)
    top = float(np.abs(conv[np.isfinite(conv)]).max(initial=0.0))
    tol = rtol * np.abs(at_want) + atol * math.sqrt(case.length) * top
    tie = differ & (np.abs(at_got - at_want) <= tol)
    return np.where(tie, want, got)
