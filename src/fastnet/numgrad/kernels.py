"""The series kernel, checked in Python, then run compiled (or as the NumPy reference).

`xent_jet` is fastnet._numgrad.xent_jet on the compiled backends and
fastnet.numgrad.reference.xent_jet on the "numpy" backend (or when the
extension is not built); both have the same signature.
"""

import numpy as np

from ..backend import current
from . import reference

__all__ = ["xent_jet"]

try:
    from .. import _numgrad as _compiled
except ImportError:  # a pure-Python checkout: the reference does the work
    _compiled = None


def xent_jet(y, labels, da, degree):
    """Series of each row's loss in each perturbation (see reference.xent_jet)."""
    if not (isinstance(degree, int) and 1 <= degree <= reference.MAX_DEGREE):
        raise ValueError(f"xent_jet: degree must be an int in [1, {reference.MAX_DEGREE}], "
                         f"got {degree!r}")
    if da.ndim != 4 or y.ndim != 2 or labels.ndim != 1:
        raise ValueError(f"xent_jet: needs y (N, C), labels (N,), da (N, U, p, C); got "
                         f"{y.shape}, {labels.shape}, {da.shape}")
    n, _, given, classes = da.shape
    if y.shape != (n, classes) or labels.shape != (n,):
        raise ValueError(f"xent_jet: y {y.shape} and labels {labels.shape} do not match "
                         f"da {da.shape}")
    if not 1 <= given <= degree:
        raise ValueError(f"xent_jet: da holds {given} coefficients, needs 1..{degree}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"xent_jet: labels must lie in [0, {classes})")
    y = np.ascontiguousarray(y, dtype=np.float64)
    da = np.ascontiguousarray(da, dtype=np.float64)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    impl = reference if _compiled is None or current().name == "numpy" else _compiled
    return impl.xent_jet(y, labels, da, degree)
