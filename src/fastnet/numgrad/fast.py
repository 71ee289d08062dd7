"""Central differences of a chain of Affine layers, from series of the loss.

Perturbing W_s[i, j] by δ changes one pre-activation per row, a_s[n, j],
by δ·x_s[n, i], and nothing before it. Seen from row n's loss, that is one
function of one variable, ℓ_n(a_s[n, j] + ε). Its Taylor series in ε,
g_1 ε + g_2 ε² + ... (fastnet.numgrad.series and the xent_jet kernel), is
computed once per (n, j) by pushing series instead of numbers through the
layers after s. Then every parameter's central difference is a sum:

    (L(w + δ+) - L(w + δ-)) / 2h = (1/N) Σ_n Σ_m g_m[n, j]·x[n, i]^m·(δ+^m - δ-^m) / 2h

where δ± are the steps the book's loop really takes, dtype(w ± h) - w.
Summed over n it is one GEMM per power m: no loss is evaluated twice and
subtracted, so nothing is lost to cancellation, and the O(h²) terms of the
difference quotient are kept, not replaced by the derivative.

The series is trusted only where its tail is negligible and no ReLU kink
lies within the step; the (row, unit) pairs outside that radius are
evaluated directly (direct.py).
"""

import numpy as np

from ..gradient import H
from . import series
from .chain import matmul
from .direct import loss_changes
from .kernels import xent_jet

__all__ = ["DEGREE", "stage_gradients"]

DEGREE = 7  # series terms kept: with steps of 1e-4, the 7th is ~1e-28 of the 1st
TAIL_TOL = 1e-16  # the last kept terms may add at most this to a row's difference quotient
SKIP_TOL = 1e-20  # a power adding less than this to any gradient entry is not summed
_ROW_BLOCK_ELEMENTS = 1 << 21  # series held at once: bounds memory on wide nets


def steps(param):
    """(δ+, δ-) the book's loop takes for each element: dtype(w ± h) - w, in float64."""
    w = param.astype(np.float64)
    up = (w + H).astype(param.dtype).astype(np.float64) - w
    down = (w - H).astype(param.dtype).astype(np.float64) - w
    return up, down


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
    """(g, rho) for the rows `rows`: g (n, J, DEGREE), and the radius rho (n, J) in ε."""
    A = pre[s][rows]
    n, J = A.shape
    rho = np.full((n, J), np.inf)
    if s == len(stages) - 1:  # a_s are the scores: ε moves score j alone
        da = np.broadcast_to(np.eye(J)[None, :, None, :], (n, J, 1, J))
    else:
        act = stages[s].activation
        given = 1 if act in ("relu", "identity") else DEGREE
        z = series.activation(act, A, [None, np.ones_like(A)], given)[1:]
        if act == "relu":
            rho = np.minimum(rho, np.abs(A) / 2)
        W = stages[s + 1].W.astype(np.float64)
        if s + 1 == len(stages) - 1:  # straight to the scores: one product, laid out for xent_jet
            da = np.stack(z, axis=2)[:, :, :, None] * W[None, :, None, :]
            return _loss_coefficients(y, labels, rows, da, rho)
        u = [zm[:, :, None] * W[None, :, :] for zm in z]
        for r in range(s + 1, len(stages) - 1):
            Ar = pre[r][rows][:, None, :]
            act = stages[r].activation
            if act == "relu":
                rho = np.minimum(rho, _relu_radius(Ar, u).min(axis=2))
                z = [np.where(Ar > 0, um, 0.0) for um in u]
            else:
                z = series.activation(act, Ar, [None, *u], DEGREE)[1:]
            W = stages[r + 1].W.astype(np.float64)
            width = W.shape[0]
            u = [matmul(zm.reshape(n * J, width), W).reshape(n, J, -1) for zm in z]
        da = np.stack(u, axis=2)
    return _loss_coefficients(y, labels, rows, da, rho)


def _loss_coefficients(y, labels, rows, da, rho):
    """g from the series of the scores' change da, and rho cut to where g's tail is small."""
    g = xent_jet(y[rows], labels[rows], da, DEGREE)
    with np.errstate(divide="ignore"):
        for m in (DEGREE - 1, DEGREE):
            rho = np.minimum(rho, (TAIL_TOL / np.abs(g[:, :, m - 1])) ** (1.0 / (m - 1)))
    return g, rho


def _row_blocks(n, stages, s):
    widths = [st.W.shape[1] for st in stages[s:]]
    per_row = widths[0] * max(widths[1:] + [1]) * DEGREE
    size = max(1, _ROW_BLOCK_ELEMENTS // per_row)
    return [np.arange(lo, min(lo + size, n)) for lo in range(0, n, size)]


def stage_gradients(stages, inputs, pre, y, labels, s):
    """(dW, db) of stage s by central differences, float64, without weight decay."""
    stage = stages[s]
    X = inputs[s]
    n = X.shape[0]
    if n == 0:  # the loss of an empty batch is 0 whatever the parameters
        return np.zeros(stage.W.shape), np.zeros(stage.b.shape)
    g = np.empty((n, stage.W.shape[1], DEGREE))
    rho = np.empty((n, stage.W.shape[1]))
    for rows in _row_blocks(n, stages, s):
        g[rows], rho[rows] = loss_series(stages, pre, y, labels, s, rows)
    upW, downW = steps(stage.W)
    upb, downb = steps(stage.b)
    reach_W = np.maximum(np.abs(upW).max(initial=0), np.abs(downW).max(initial=0))
    reach_b = np.maximum(np.abs(upb).max(initial=0), np.abs(downb).max(initial=0))
    valid_W = rho >= reach_W * np.abs(X).max(axis=1, initial=0)[:, None]
    valid_b = rho >= reach_b
    dW = _sum_series(X, np.where(valid_W[:, :, None], g, 0.0), upW, downW)
    db = _sum_series(np.ones((n, 1)), np.where(valid_b[:, :, None], g, 0.0), upb[None, :],
                     downb[None, :])[0]
    _add_direct(dW, stages, pre, y, labels, s, X, ~valid_W, upW, downW)
    _add_direct(db[None, :], stages, pre, y, labels, s, np.ones((n, 1)), ~valid_b,
                upb[None, :], downb[None, :])
    if n:
        dW /= n
        db /= n
    return dW, db


def _sum_series(X, g, up, down):
    """Σ_n Σ_m g[n, j, m-1]·X[n, i]^m·(up^m - down^m) / 2h, one GEMM per power m.

    A power whose terms cannot reach SKIP_TOL after the division by N is
    left out: with steps of 1e-4 that is every even power when up = -down
    (float64) and every power above 3 unless the input is large. The cheap
    bound (from the largest steps) is tried before the exact one.
    """
    out = np.zeros(up.shape)
    # An input that is 0 in every row adds nothing (its rows of `out` stay 0):
    # MNIST's border pixels, a third of the GEMM.
    used = np.flatnonzero(np.any(X != 0, axis=0))
    if len(used) < X.shape[1]:
        part = _sum_series(X[:, used], g, up[used], down[used])
        out[used] = part
        return out
    reach = np.abs(X).max(axis=1, initial=0)  # (n,)
    top_up, top_down = np.abs(up).max(initial=0), np.abs(down).max(initial=0)
    for m in range(1, DEGREE + 1):
        gm = g[:, :, m - 1]
        rows = (reach ** m * np.abs(gm).max(axis=1, initial=0)).max(initial=0)
        if rows * (top_up ** m + top_down ** m) / (2 * H) < SKIP_TOL:
            continue
        factor = (_power(up, m) - _power(down, m)) / (2 * H)
        if rows * np.abs(factor).max(initial=0) < SKIP_TOL:
            continue
        out += factor * matmul(_power(X, m), np.ascontiguousarray(gm), trans_a=True)
    return out


def _power(X, m):
    # by multiplications: np.power calls pow() for every element
    out = X
    for _ in range(m - 1):
        out = out * X
    return out


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
