"""Case builders of the numerical-gradient kernels (fastnet.numgrad.kernels): the series
of the loss in one perturbation (xent_jet, affine_jet) and their sums into a layer's
central differences (series_sum).

These kernels are not backend methods: fastnet.numgrad.kernels runs the compiled
one, or the NumPy reference when the "numpy" backend is current. `NumgradOn(name)`
calls them with backend `name` current, so the runner compares them as it compares
the backends' kernels. They run on the CPU only (the fast numerical gradient takes
NumPy arrays), and in float64 whatever the input's dtype.

Values are drawn from the kernels' domain: y is a softmax (each row positive,
summing to 1), the changes and weights are finite and of moderate size, as the fast
path hands them over; the layouts, dtypes, sizes (the jets take 8 units at a time,
series_sum sums 8 units at a time), degrees, activations, masks and powers are the
fuzz's. A spoiled argument (spoil.py) checks the shared Python checks.
"""

import numpy as np

import fastnet
from fastnet.numgrad import kernels

from .case import Case

KERNELS = ("xent_jet", "affine_jet", "series_sum")
MAX_DEGREE = 8
# The loss's own scale: its coefficients are sums of products of probabilities and
# changes of the logits, and cancel to far below that (one class: the loss never
# moves, and its coefficients are rounding noise around 0).
JET_FLOOR = 1.0


def _jet_floor(reach, degree, y):
    """The size of the terms a jet's coefficients sum: up to reach^m / m! for the
    m-th, reach being how far one logit moves at ε = 1, times the probabilities'
    row sum (1 for a softmax; more where a layout broadcasts one value over a row).
    A coefficient may cancel to exactly 0 far below them: logits that all move
    alike leave the loss where it is."""
    mass = max(1.0, float(np.asarray(y, np.float64).sum(axis=1).max(initial=0.0)))
    terms, size = 1.0, JET_FLOOR
    for m in range(1, degree + 1):
        terms *= reach / m
        size = max(size, terms)
    return size * mass


class NumgradOn:
    """The numgrad kernels, each called with backend `name` current."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, kernel):
        function = getattr(kernels, kernel)

        def run(*args, **kwargs):
            with fastnet.using_backend(self.name):
                return function(*args, **kwargs)

        return run


def _case(d, kernel, args, **kw):
    return Case(kernel, args, layouts=d.layouts, values="domain", **kw)


def _moderate(d, shape, scale=1.0):
    return d.raw(shape, kind="normal") * scale


def _targets(d, n, classes):
    logits = d.raw((n, classes), dtype=np.float64, kind="normal") * d.uniform(0.1, 5.0)
    if n and classes:
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
    else:
        y = logits
    labels = d.rng.integers(0, max(classes, 1), size=n).astype(d.pick((np.int64, np.int32)))
    return d.lay("y", y), d.lay("labels", labels)


def _degree(d):
    return 7 if d.coin(0.6) else int(d.rng.integers(1, MAX_DEGREE + 1))


def xent_jet(d):
    n, units, classes = d.size(high=23), d.size(high=23), d.size(high=17, allow_zero=False)
    degree = _degree(d)
    given = 1 if d.coin(0.3) else int(d.rng.integers(1, degree + 1))
    y, labels = _targets(d, n, classes)
    da = d.lay("da", _moderate(d, (n, units, given, classes), d.uniform(0.05, 2.0)))
    reach = float(np.abs(np.asarray(da)).sum(axis=2).max(initial=0.0))  # Σ_p |da_p| at ε = 1
    return _case(d, "xent_jet", [y, labels, da, degree], length=classes * degree * degree,
                 floor=_jet_floor(reach, degree, y))


def affine_jet(d):
    n, units, classes = d.size(high=23), d.size(high=41), d.size(high=17, allow_zero=False)
    degree = _degree(d)
    y, labels = _targets(d, n, classes)
    pre = d.lay("pre", _moderate(d, (n, units), d.uniform(0.1, 4.0)))
    w = d.lay("w", _moderate(d, (units, classes), d.uniform(0.05, 2.0)))
    activation = d.pick(("identity", "relu", "sigmoid", "tanh"))
    # A unit moved by ε moves logit c by w[j, c] times its activation's change, whose
    # Taylor coefficients add up to at most 1 at ε = 1 (identity, relu, sigmoid) or
    # tan(1) ≈ 1.56 (tanh at 0): 2 bounds them.
    reach = 2.0 * float(np.abs(np.asarray(w)).max(initial=0.0))
    return _case(d, "affine_jet", [y, labels, pre, activation, w, degree],
                 length=classes * degree * degree, floor=_jet_floor(reach, degree, y))


def series_sum(d):
    n, inputs, units = d.size(high=41), d.size(high=41), d.size(high=41)
    if d.big:  # past the size that starts a second thread
        n, inputs, units = 100, int(d.rng.integers(200, 400)), int(d.rng.integers(20, 60))
    degree = _degree(d)
    X = _moderate(d, (n, inputs), d.uniform(0.1, 2.0))
    X[d.rng.random((n, inputs)) < d.uniform(0.0, 0.9)] = 0.0  # mostly-zero inputs, as MNIST's
    g = _moderate(d, (n, units, degree))
    valid = d.rng.random((n, units)) < d.uniform(0.5, 1.0)
    h = 1e-4
    w = _moderate(d, (inputs, units), d.uniform(0.01, 1.0))
    if d.float_dtype() == np.float32:  # the steps a float32 parameter takes
        w32 = w.astype(np.float32)
        up = (w32 + np.float32(h)).astype(np.float64) - w32
        down = (w32 - np.float32(h)).astype(np.float64) - w32
    else:
        up, down = (w + h) - w, (w - h) - w
    count = int(d.rng.integers(0, degree + 1))
    powers = np.sort(d.rng.choice(np.arange(1, degree + 1), size=count, replace=False))
    return _case(d, "series_sum",
                 [d.lay("X", X), d.lay("g", g), d.lay("valid", valid), d.lay("up", up),
                  d.lay("down", down), powers.astype(np.int64), h],
                 length=max(n, 1) * max(count, 1), floor=_term_size(X, g, up, down, powers, h))


def _term_size(X, g, up, down, powers, h):
    """The largest sum of the terms' magnitudes behind one output: the sums cancel."""
    size = 0.0
    for m in powers:
        factor = np.abs(up ** m - down ** m) / (2 * h)
        sums = (np.abs(X) ** m).T @ np.abs(g[:, :, m - 1])
        size = max(size, float((factor * sums).max(initial=0.0)))
    return size


BUILDERS = {"xent_jet": xent_jet, "affine_jet": affine_jet, "series_sum": series_sum}
