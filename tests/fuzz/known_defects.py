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

# Kernels whose compiled code builds patches with csrc/im2col_impl.h.
PATCHED = ("im2col", "conv_forward", "conv_backward", "conv_pool_forward", "conv_pool_backward")
# Kernels where UBSan saw misaligned loads (the others copy such input first).
MISALIGNED = PATCHED + ("col2im", "batchnorm_forward_train", "batchnorm_forward_infer",
                        "batchnorm_backward")


def _arrays(case):
    """The array arguments, nested lists (valid on a CPU backend) as arrays."""
    return [a if isinstance(a, np.ndarray) else np.asarray(a) for a in case.args
            if isinstance(a, (np.ndarray, list))]


def _argument(case, name):
    names = parameter_names(case.kernel)
    return case.args[names.index(name)] if name in names[:len(case.args)] else None


def _non_finite(case):
    return any(a.dtype.kind == "f" and not np.isfinite(a).all() for a in _arrays(case))


def _pad_beyond_filter(case):
    # csrc/im2col_impl.h, fn_patch_rows_fw: the rows above the image, -y0 of
    # them, are zeroed without a bound by fh.
    return case.kernel in PATCHED and any(w.pad > w.fh for w in case.windows[:1])


def _rows_apart_loss(case):
    # _losses.pyx `_rows_ok` accepts contiguous rows any stride apart; fn_mse and
    # fn_sigmoid_bce then read n values from the start as if the rows were adjacent.
    def rows_apart(a):
        return (a.ndim == 2 and a.shape[0] > 1 and a.size
                and (a.shape[1] == 1 or a.strides[1] == a.itemsize)
                and a.strides[0] != a.shape[1] * a.itemsize)

    return case.kernel in ("mean_squared_error", "sigmoid_binary_cross_entropy") and any(
        rows_apart(a) for a in _arrays(case))


def _direct_dw_overread(case):
    # csrc/conv_direct_impl.h, whole_vectors: every image but the last is read
    # in whole vectors (up to 16 values) per row of dout, "harmless while another
    # image follows": not when that image holds fewer values than the overhang.
    W = _argument(case, "W")
    if case.kernel not in ("conv_backward", "conv_pool_backward") or not isinstance(
            W, np.ndarray) or W.ndim != 4:
        return False
    g = case.windows[0]
    return g.c == 1 and g.n >= 2 and W.shape[0] * (g.oh * g.ow + 1) < 16


def _misaligned(case):
    return case.kernel in MISALIGNED and any(not a.flags.aligned for a in _arrays(case))


def _non_native(case):
    return any(not a.dtype.isnative for a in _arrays(case))


def _nan_into_max_pool(case):
    return case.kernel in ("max_pool_forward", "conv_pool_forward") and _non_finite(case)


def _nan_in_one_hot(case):
    t = case.args[1] if len(case.args) > 1 else None
    return (case.kernel in ("cross_entropy", "softmax_cross_entropy")
            and isinstance(t, np.ndarray) and t.dtype.kind == "f" and np.isnan(t).any())


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
    # compiled_conv._flipped_filters: dx as a convolution of dout, zero-padded,
    # with the flipped filters; 0 · inf in that padding is NaN.
    if case.kernel not in ("conv_backward", "conv_pool_backward") or not _argument(
            case, "need_input_grad"):
        return False
    w = case.windows[0]
    return (w.stride == 1 and w.fh == w.fw and w.pad <= w.fh - 1 and w.c >= 8
            and _non_finite(case))


KNOWN_DEFECTS = {
    "issue 10 item 1": KnownDefect(
        "im2col and the convolutions write past their output when the padding is wider "
        "than the filter (windows wholly in the padding)", _pad_beyond_filter),
    "issue 10 item 2": KnownDefect(
        "mean_squared_error / sigmoid_binary_cross_entropy read 2-D views whose rows are "
        "not adjacent as if they were", _rows_apart_loss),
    "issue 10 item 3": KnownDefect(
        "the direct convolution's dW reads whole vectors past the end of dout with few "
        "filters (AVX2 and AVX-512 builds)", _direct_dw_overread),
    "issue 10 item 4": KnownDefect(
        "misaligned float loads (UBSan) in GEMM packing and epilogue, batch norm, im2col, "
        "col2im, the direct convolution", _misaligned),
    "issue 10 item 5": KnownDefect(
        "non-native byte order is read as native", _non_native),
    "issue 10 item 6": KnownDefect(
        "max pooling drops a NaN unless it comes first in its window",
        _nan_into_max_pool),
    "issue 10 item 8": KnownDefect(
        "NaN in one-hot targets gives a finite loss and a NaN gradient, no error",
        _nan_in_one_hot, compiled_only=False),
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
# them there, and only there): pytest node id -> the defect. Seen with the AVX2
# build in float32; float64 is listed too, for AVX-512's wider vectors.
SANITIZER_STOPS = {
    f"tests/test_kernels_conv.py::test_conv_backward[cython-{dtype}-{dx}-identity-{layout}-geom5]":
        "issue 10 item 3"
    for dtype in ("f32", "f64") for dx in ("True", "False") for layout in ("c", "channels_last")
}


def known_defect(backend, case):
    """The id of the first known defect case hits, or None."""
    for defect_id, row in KNOWN_DEFECTS.items():
        if (backend == "cython" or not row.compiled_only) and row.applies(case):
            return defect_id
    return None
