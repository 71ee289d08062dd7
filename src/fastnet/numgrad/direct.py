"""The loss change of single perturbations, evaluated directly, as changes.

For the perturbations the series does not cover (a ReLU kink within the
step, or a step so large that the series' tail matters) each loss change
ℓ(a + δ) - ℓ(a) is computed through the rest of the network. What is
carried from layer to layer is the CHANGE of each value, never the new
value: a change computed as the difference of two nearly equal numbers
would keep only a few of its digits.
"""

import numpy as np

from .chain import matmul
from .reference import LOG_EPS

__all__ = ["loss_changes", "activation_change", "xent_change"]

_CHUNK = 1 << 14  # rows per pass: bounds the memory of the changes


def activation_change(name, a, d):
    """act(a + d) - act(a), accurate to a few ulps of the result."""
    if name == "relu":
        return np.where(a >= 0, np.where(a + d >= 0, d, -a), np.maximum(a + d, 0))
    if name == "sigmoid":
        # σ(a + d) - σ(a) = (1 - e^{-d})·σ(a + d)·σ(-a): no two close numbers subtracted.
        return -np.expm1(-d) * _sigmoid(a + d) * _sigmoid(-a)
    if name == "tanh":
        # tanh(u) - tanh(v) = sinh(u - v) / (cosh u · cosh v)
        with np.errstate(over="ignore"):
            return np.sinh(d) / (np.cosh(a) * np.cosh(a + d))
    return d


def _sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def xent_change(y, labels, da):
    """-log(softmax(a + da)[t] + 1e-7) + log(y[t] + 1e-7), y = softmax(a), per row.

    With m_k = e^{da_k} - 1 and r = Σ_k y_k·m_k, the new probability is
    y_t·(1 + m_t) / (1 + r), so its change is y_t·(m_t - r) / (1 + r).
    """
    rows = np.arange(len(labels))
    yt = y[rows, labels]
    with np.errstate(over="ignore", invalid="ignore"):
        m = np.expm1(da)
        r = np.einsum("nk,nk->n", y, m)
        change = yt * (m[rows, labels] - r) / (1 + r)
        out = -np.log1p(change / (yt + LOG_EPS))
    bad = ~np.isfinite(out)
    if bad.any():  # a change so large that e^{da} overflows: log-softmax instead
        with np.errstate(divide="ignore"):  # a probability that underflowed to 0
            logy = np.log(y[bad]) + da[bad]
        top = logy.max(axis=1, keepdims=True)
        new = np.exp(logy[np.arange(bad.sum()), labels[bad]] - top[:, 0]) / np.exp(
            logy - top).sum(axis=1)
        out[bad] = -np.log(new + LOG_EPS) + np.log(yt[bad] + LOG_EPS)
    return out


def loss_changes(stages, pre, y, labels, s, rows, units, deltas):
    """ℓ_n after a_s[n, j] += δ, minus ℓ_n before, for each (n, j, δ) in (rows, units, deltas)."""
    out = np.empty(len(rows))
    for lo in range(0, len(rows), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        n, j, d = rows[part], units[part], deltas[part]
        if s == len(stages) - 1:
            da = np.zeros((len(n), y.shape[1]))
            da[np.arange(len(n)), j] = d
        else:
            dz = activation_change(stages[s].activation, pre[s][n, j], d)
            da = dz[:, None] * stages[s + 1].W[j, :].astype(np.float64)
            for r in range(s + 1, len(stages) - 1):
                dz = activation_change(stages[r].activation, pre[r][n], da)
                da = matmul(dz, stages[r + 1].W.astype(np.float64))
        out[part] = xent_change(y[n], labels[n], da)
    return out
