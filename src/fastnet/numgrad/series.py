"""Truncated power series in one variable δ, for the loss as a function of one perturbation.

A series is a list [c_0, c_1, ..., c_d] of NumPy arrays (all of one shape,
or broadcastable): f(δ) = Σ c_m δ^m + O(δ^{d+1}). Each operation is the
textbook recurrence (Knuth, TAOCP vol. 2, §4.7) and is exact up to rounding
in every kept coefficient, so a composition of them gives the Taylor
coefficients of the composed function: no derivative is written by hand.
"""

import numpy as np

__all__ = ["exp0", "quotient", "log", "activation", "ACTIVATIONS"]


def exp0(u, degree):
    """exp(u) for a series u with u_0 = 0 (only u_1.. are read; missing ones are 0)."""
    E = [np.ones_like(u[1])]
    for m in range(1, degree + 1):
        acc = sum(i * u[i] * E[m - i] for i in range(1, min(m, len(u) - 1) + 1))
        E.append(acc / m)
    return E


def quotient(a, b, degree):
    """a / b (b_0 ≠ 0): solves b·q = a coefficient by coefficient."""
    q = []
    for m in range(degree + 1):
        acc = a[m] - sum(b[i] * q[m - i] for i in range(1, m + 1))
        q.append(acc / b[0])
    return q


def log(p, degree):
    """log(p) (p_0 > 0): from p·L' = p', coefficient by coefficient."""
    L = [np.log(p[0])]
    for m in range(1, degree + 1):
        acc = sum(i * L[i] * p[m - i] for i in range(1, m))
        L.append((p[m] - acc / m) / p[0])
    return L


def _sigmoid(a):
    # exp of a large negative argument overflows; exp(-|a|) never does.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def activation(name, a, u, degree):
    """act(a + u(δ)) for a series u with u_0 = 0 (act: relu, sigmoid, tanh, identity).

    relu is act(a) + [a > 0]·u: its series, valid while a + u(δ) keeps a's
    sign (the caller bounds δ for that). sigmoid and tanh come from their
    differential equations v' = v(1 - v)·u' and v' = (1 - v²)·u', solved
    for one coefficient at a time.
    """
    u = list(u) + [np.zeros_like(u[1])] * (degree + 1 - len(u))
    if name == "identity":
        return [a] + u[1:degree + 1]
    if name == "relu":
        on = a > 0
        return [np.maximum(a, 0)] + [np.where(on, c, 0.0) for c in u[1:degree + 1]]
    if name == "sigmoid":
        v = [_sigmoid(a)]
        w = []  # v(1 - v), one coefficient behind v
        for m in range(1, degree + 1):
            w.append(v[m - 1] - sum(v[i] * v[m - 1 - i] for i in range(m)))
            v.append(sum(i * u[i] * w[m - i] for i in range(1, m + 1)) / m)
        return v
    if name == "tanh":
        v = [np.tanh(a)]
        w = []  # 1 - v²
        for m in range(1, degree + 1):
            w.append((1.0 if m == 1 else 0.0) - sum(v[i] * v[m - 1 - i] for i in range(m)))
            v.append(sum(i * u[i] * w[m - i] for i in range(1, m + 1)) / m)
        return v
    raise ValueError(f"unknown activation {name!r}")


ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")
