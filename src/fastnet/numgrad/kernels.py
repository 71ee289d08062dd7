"""The series kernels, checked in Python, then run compiled (or as the NumPy reference).

Each function here is fastnet._numgrad's on the compiled backends and
fastnet.numgrad.reference's on the "numpy" backend (or when the extension
is not built); both have the same signature.
"""

import numpy as np

from ..backend import current
from ..backend.vocabulary import ACTIVATIONS
from . import reference

__all__ = ["xent_jet", "affine_jet", "series_sum"]

try:
    from .. import _numgrad as _compiled
except ImportError:  # a pure-Python checkout: the reference does the work
    _compiled = None


def _impl():
    return reference if _compiled is None or current().name == "numpy" else _compiled


def _check_degree(name, degree):
    if isinstance(degree, bool) or not (isinstance(degree, int)
                                        and 1 <= degree <= reference.MAX_DEGREE):
        raise ValueError(f"{name}: degree must be an int in [1, {reference.MAX_DEGREE}], "
                         f"got {degree!r}")


def _check_targets(name, y, labels, n, classes):
    if y.ndim != 2 or labels.ndim != 1 or y.shape != (n, classes) or labels.shape != (n,):
        raise ValueError(f"{name}: y {y.shape} and labels {labels.shape} do not match "
                         f"{n} rows of {classes} classes")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"{name}: labels must lie in [0, {classes})")


def _of_kind(name, arg, a, kinds, what):
    """`a` as an array (a list is fine) of one of the dtype `kinds`, else a TypeError naming it."""
    a = np.asarray(a)
    if a.dtype.kind not in kinds:
        raise TypeError(f"{name}: {arg} must hold {what}, got dtype {a.dtype}")
    return a


def _real(name, arg, a):
    return _of_kind(name, arg, a, "fiu", "real numbers")


def _labels(name, labels):
    return _of_kind(name, "labels", labels, "iu", "integers")


def _f64(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def xent_jet(y, labels, da, degree):
    """Series of each row's loss in each perturbation (see reference.xent_jet)."""
    _check_degree("xent_jet", degree)
    y, da = _real("xent_jet", "y", y), _real("xent_jet", "da", da)
    labels = _labels("xent_jet", labels)
    if da.ndim != 4:
        raise ValueError(f"xent_jet: needs da (N, U, p, C), got {da.shape}")
    n, _, given, classes = da.shape
    _check_targets("xent_jet", y, labels, n, classes)
    if not 1 <= given <= degree:
        raise ValueError(f"xent_jet: da holds {given} coefficients, needs 1..{degree}")
    return _impl().xent_jet(_f64(y), np.ascontiguousarray(labels, dtype=np.int64), _f64(da),
                            degree)


def affine_jet(y, labels, pre, activation, w, degree):
    """xent_jet when pre[n, u] moves and the logits follow through w (see reference.affine_jet)."""
    _check_degree("affine_jet", degree)
    y, pre, w = (_real("affine_jet", arg, a) for arg, a in (("y", y), ("pre", pre), ("w", w)))
    labels = _labels("affine_jet", labels)
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"affine_jet: activation must be one of {ACTIVATIONS}, "
                         f"got {activation!r}")
    if pre.ndim != 2 or w.ndim != 2 or pre.shape[1] != w.shape[0]:
        raise ValueError(f"affine_jet: needs pre (N, U) and w (U, C), got {pre.shape} and "
                         f"{w.shape}")
    _check_targets("affine_jet", y, labels, pre.shape[0], w.shape[1])
    return _impl().affine_jet(_f64(y), np.ascontiguousarray(labels, dtype=np.int64), _f64(pre),
                              activation, _f64(w), degree)


def series_sum(X, g, valid, up, down, powers, h):
    """Σ over the powers of the steps' powers times (X^m)ᵀ·g_m (see reference.series_sum)."""
    X, g, up, down = (_real("series_sum", arg, a)
                      for arg, a in (("X", X), ("g", g), ("up", up), ("down", down)))
    valid = _of_kind("series_sum", "valid", valid, "biu", "a mask (bool or integers)")
    if X.ndim != 2 or g.ndim != 3:
        raise ValueError(f"series_sum: needs X (N, I) and g (N, J, degree), got {X.shape} "
                         f"and {g.shape}")
    n, inputs = X.shape
    units, degree = g.shape[1], g.shape[2]
    if g.shape[0] != n or valid.shape != (n, units):
        raise ValueError(f"series_sum: g {g.shape} and valid {valid.shape} do not match X "
                         f"{X.shape}")
    if up.shape != (inputs, units) or down.shape != (inputs, units):
        raise ValueError(f"series_sum: up {up.shape} and down {down.shape} must be "
                         f"{(inputs, units)}")
    powers = np.asarray(powers)
    if powers.size:  # an empty list is float64 to NumPy, and names no power
        powers = _of_kind("series_sum", "powers", powers, "iu", "integers")
    powers = powers.astype(np.int64).reshape(-1)
    if powers.size and (powers.min() < 1 or powers.max() > degree):
        raise ValueError(f"series_sum: powers must lie in [1, {degree}], got {powers}")
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not 0 < h < np.inf:
        raise ValueError(f"series_sum: h must be a positive float, got {h!r}")
    return _impl().series_sum(_f64(X), _f64(g), np.ascontiguousarray(valid != 0, dtype=np.uint8),
                              _f64(up), _f64(down), np.ascontiguousarray(powers), float(h))
