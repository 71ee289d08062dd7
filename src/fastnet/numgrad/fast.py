"""Central differences of a chain of Affine layers, from series of the loss.

Perturbing W_s[i, j] by δ changes one pre-activation per row, a_s[n, j],
by δ·x_s[n, i], and nothing before it. Seen from row n's loss, that is one
function of one variable, ℓ_n(a_s[n, j] + ε). Its Taylor series in ε,
g_1 ε + g_2 ε² + ... (the affine_jet kernel for the last two layers;
fastnet.numgrad.series and the xent_jet kernel deeper), is
computed once per (n, j) by pushing series instead of numbers through the
layers after s. Then every parameter's central difference is a sum:

    (L(w + δ+) - L(w + δ-)) / 2h = (1/N) Σ_n Σ_m g_m[n, j]·x[n, i]^m·(δ+^m - δ-^m) / 2h

where δ± are the steps the book's loop really takes, dtype(w ± h) - w.
Summed over n it is a product of X^m and g_m per power m (the series_sum
kernel, which skips inputs that are 0): no loss is evaluated twice and
subtracted, so nothing is lost to cancellation, and the O(h²) terms of the
difference quotient are kept, not replaced by the derivative.

The series is trusted only where its tail is negligible and no ReLU kink
lies within the step; the (row, unit) pairs outside that radius are
evaluated directly (direct.py).
"""

from dataclasses import dataclass

import numpy as np

from ..gradient import H
from . import series
from .chain import matmul
from .direct import loss_changes
from .kernels import affine_jet, series_sum, xent_jet

__all__ = ["DEGREE", "stage_gradients"]

DEGREE = 7  # series terms kept: with steps of 1e-4, the 7th is ~1e-28 of the 1st
TAIL_TOL = 1e-16  # the last kept terms may add at most this to a row's difference quotient
SKIP_TOL = 1e-20  # a power adding less than this to any gradient entry is not summed
_ROW_BLOCK_ELEMENTS = 1 << 21  # series held at once: bounds memory on wide nets


@dataclass
class Steps:
    """The steps the book's loop takes for each element, dtype(w ± h) - w in float64,
    and the bounds the sums need: the largest |up|, |down|, |up - down| and |up + down|."""

    up: np.ndarray
    down: np.ndarray

    def __post_init__(self):
        self.top_up = np.abs(self.up).max(initial=0)
        self.top_down = np.abs(self.down).max(initial=0)
        self.reach = max(self.top_up, self.top_down)
        self.width = np.abs(self.up - self.down).max(initial=0)
        self.spread = np.abs(self.up + self.down).max(initial=0)


def steps(param):
    """The Steps of `param`."""
    w = param.astype(np.float64, copy=False)
    up = (w + H).astype(param.dtype, copy=False).astype(np.float64, copy=False) - w
    down = (w - H).astype(param.dtype, copy=False).astype(np.float64, copy=False) - w
    return Steps(up, down)


def _relu_radius(a, u):
    """The largest |ε| for which a + Σ u_m ε^m keeps a's sign, bounded from below."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.full(np.broadcast(a, u[0]).shape, np.inf)
        for m, um in enumerate(u, start=1):
            # Each term under |a| / 2p keeps the sum under |a| / 2. A unit that
            # does not move (0 / 0) sets no bound: fmin skips the NaN.
            bound = np.fmin(bound, (np.abs(a) / (2 * len(u) * np.abs(um))) ** (1.0 / m))
    return bound


def loss_series(stages, pre, y, labels, s, rows):
    """(g, rho) for the rows `rows`: g (n, J, DEGREE), and the radius rho (n, J) in ε
    within which no ReLU after stage s changes side (None: no ReLU bounds it)."""
    A = pre[s][rows]
    n, J = A.shape
    if s == len(stages) - 1:  # a_s are the scores: ε moves score j alone
        return affine_jet(y[rows], labels[rows], A, "identity", np.eye(J), DEGREE), None
    act = stages[s].activation
    rho = np.abs(A) / 2 if act == "relu" else None
    W = stages[s + 1].W.astype(np.float64, copy=False)
    if s + 1 == len(stages) - 1:  # straight to the scores: one kernel, no series held
        return affine_jet(y[rows], labels[rows], A, act, W, DEGREE), rho
    given = 1 if act in ("relu", "identity") else DEGREE
    z = series.activation(act, A, [None, np.ones_like(A)], given)[1:]
    u = [zm[:, :, None] * W[None, :, :] for zm in z]
    for r in range(s + 1, len(stages) - 1):
        Ar = pre[r][rows][:, None, :]
        act = stages[r].activation
        if act == "relu":
            bound = _relu_radius(Ar, u).min(axis=2)
            rho = bound if rho is None else np.minimum(rho, bound)
            z = [np.where(Ar > 0, um, 0.0) for um in u]
        else:
            z = series.activation(act, Ar, [None, *u], DEGREE)[1:]
        W = stages[r + 1].W.astype(np.float64, copy=False)
        width = W.shape[0]
        u = [matmul(zm.reshape(n * J, width), W).reshape(n, J, -1) for zm in z]
    return xent_jet(y[rows], labels[rows], np.stack(u, axis=2), DEGREE), rho


def _trusted(g, rho, reach):
    """Where the series of each (row, unit) may be used for steps up to reach (n,) or ():
    no ReLU within reach (rho >= reach), and the last two kept terms add at most
    TAIL_TOL to the difference quotient, g_m·reach^(m-1) (so the ones left out are
    smaller still). A NaN (an infinite g at reach 0) is not trusted."""
    reach = np.asarray(reach, dtype=np.float64)
    r = reach[:, None] if reach.ndim else reach
    with np.errstate(invalid="ignore", over="ignore"):
        trusted = (np.abs(g[:, :, DEGREE - 2]) * r ** (DEGREE - 2) <= TAIL_TOL) & (
            np.abs(g[:, :, DEGREE - 1]) * r ** (DEGREE - 1) <= TAIL_TOL)
    if rho is not None:
        trusted &= rho >= r
    return trusted


def _row_blocks(n, stages, s):
    widths = [st.W.shape[1] for st in stages[s:]]
    per_row = widths[0] * max(widths[1:] + [1]) * DEGREE
    size = max(1, _ROW_BLOCK_ELEMENTS // per_row)
    return [np.arange(lo, min(lo + size, n)) for lo in range(0, n, size)]


def stage_gradients(stages, inputs, pre, y, labels, s, weight_decay=0.0):
    """(dW, db) of stage s by central differences, float64, with the weight decay
    λ·||W||²/2 that the net's loss adds."""
    stage = stages[s]
    sW, sb = steps(stage.W), steps(stage.b)
    if inputs[s].shape[0] == 0:  # the loss of an empty batch is 0 whatever the parameters
        dW, db = np.zeros(stage.W.shape), np.zeros(stage.b.shape)
    else:
        dW, db = _loss_differences(stages, inputs, pre, y, labels, s, sW, sb)
    if weight_decay:
        # 0.5·λ·((w + δ+)² - (w + δ-)²) / 2h, exactly: λ·w when δ± = ±h
        w = stage.W.astype(np.float64, copy=False)
        dW += weight_decay * 0.5 * (sW.up - sW.down) * (2 * w + sW.up + sW.down) / (2 * H)
    return dW, db


def _loss_differences(stages, inputs, pre, y, labels, s, sW, sb):
    """(dW, db) of the loss alone, for a batch of at least one row (sW, sb: the Steps)."""
    stage = stages[s]
    X = inputs[s]
    n = X.shape[0]
    g = np.empty((n, stage.W.shape[1], DEGREE))
    rho = None
    for rows in _row_blocks(n, stages, s):
        g[rows], rho_rows = loss_series(stages, pre, y, labels, s, rows)
        if rho_rows is not None:
            rho = np.full((n, stage.W.shape[1]), np.inf) if rho is None else rho
            rho[rows] = rho_rows
    x_reach = np.abs(X).max(axis=1, initial=0)
    valid_W = _trusted(g, rho, sW.reach * x_reach)
    valid_b = _trusted(g, rho, sb.reach)
    # (n, DEGREE): the bound of each row's terms; a NaN of an untrusted pair bounds nothing
    g_reach = np.fmax.reduce(np.abs(g), axis=1, initial=0)
    ones = np.ones((n, 1))
    dW = series_sum(X, g, valid_W, sW.up, sW.down, _powers(x_reach, g_reach, sW), H)
    db = series_sum(ones, g, valid_b, sb.up[None, :], sb.down[None, :],
                    _powers(np.ones(n), g_reach, sb), H)[0]
    _add_direct(dW, stages, pre, y, labels, s, X, ~valid_W, sW.up, sW.down)
    _add_direct(db[None, :], stages, pre, y, labels, s, ones, ~valid_b,
                sb.up[None, :], sb.down[None, :])
    dW /= n
    db /= n
    return dW, db


def _powers(x_reach, g_reach, st):
    """The powers m whose terms of Σ_n g_m·x^m·(up^m - down^m) / 2h can reach SKIP_TOL.

    Row n's terms are at most x_reach[n]^m·g_reach[n, m-1] times the largest
    |up^m - down^m| / 2h, bounded without computing it (st: Steps): by
    |up|^m + |down|^m, and, for even m, where the two nearly cancel when
    up ≈ -down (float64 steps), by d·s·(m/2)·T^(m-2) with d = |up - down|,
    s = |up + down| and T = max(|up|, |down|). With steps of 1e-4 that leaves
    the odd powers up to 3 unless the input is large.
    """
    if not st.up.size:
        return []
    rows = (x_reach[:, None] ** np.arange(1, DEGREE + 1) * g_reach).max(axis=0, initial=0)
    kept = []
    for m in range(1, DEGREE + 1):
        step = st.top_up ** m + st.top_down ** m
        if m % 2 == 0:
            step = min(step, st.width * st.spread * (m // 2) * st.reach ** (m - 2))
        if rows[m - 1] * step / (2 * H) >= SKIP_TOL:
            kept.append(m)
    return kept


def _add_direct(out, stages, pre, y, labels, s, X, pairs, up, down):
    """Add the directly evaluated terms of the (row, unit) pairs outside the series' radius."""
    pair_rows, pair_units = np.nonzero(pairs)
    if not len(pair_rows):
        return
    # every input i of row n that is not 0 moves a_s[n, j]
    nz = X[pair_rows] != 0
    k, i = np.nonzero(nz)
    rows, units = pair_rows[k], pair_units[k]
    x = X[rows, i]
    plus = loss_changes(stages, pre, y, labels, s, rows, units, up[i, units] * x)
    minus = loss_changes(stages, pre, y, labels, s, rows, units, down[i, units] * x)
    np.add.at(out, (i, units), (plus - minus) / (2 * H))
