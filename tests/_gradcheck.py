"""A small gradient checker for layers and networks.

    check_close(actual, expected, what="Affine.dW", rtol=..., atol=...)
    check_layer(layer, x, params={"W": "dW", "b": "db"}, reference=fn)
    check_net(net, x, t)

Forward is compared with a reference function (the book's formula in
NumPy); backward with central differences computed HERE, independently of
fastnet.gradient, in float64 with a small step. Every failure message names
the layer, the parameter, the worst index, the expected and actual values.
"""

import numpy as np

# Central-difference step for float64 checks: truncation error ~h², rounding
# error ~eps·|L|/h, both around 1e-10 for the O(1) losses used here.
H = 1e-6


def check_close(actual, expected, what, rtol, atol):
    """Fail with the worst element (index, expected, actual) when not allclose."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape}, expected {expected.shape}")
    if actual.size == 0:
        return
    err = np.abs(actual.astype(np.float64) - expected) - rtol * np.abs(expected)
    worst = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
    if not np.isfinite(actual).all() or err[worst] > atol:
        bad = np.argwhere(~np.isfinite(actual))
        if len(bad):
            worst = tuple(bad[0])
        want, got = float(expected[worst]), float(actual[worst])
        raise AssertionError(
            f"{what}: at index {tuple(int(i) for i in worst)} expected {want!r}, got {got!r} "
            f"(|diff| {abs(got - want):.3g}, rtol {rtol:g}, atol {atol:g}; "
            f"{int((err > atol).sum())} of {err.size} elements differ)"
        )


def central_difference(loss, array):
    """d loss() / d array, perturbing array in place (loss reads it by reference)."""
    grad = np.zeros(array.shape, dtype=np.float64)
    for idx in np.ndindex(array.shape):
        keep = float(array[idx])
        array[idx] = keep + H
        up = loss()
        array[idx] = keep - H
        down = loss()
        array[idx] = keep
        grad[idx] = (up - down) / (2 * H)
    return grad


def _weighted_sum(out, weights):
    """Σ out·weights: a scalar whose gradient with respect to out is weights."""
    return float(np.sum(np.asarray(out, dtype=np.float64) * weights))


def check_layer(layer, x, *, params=None, reference=None, forward_args=(), name=None,
                rtol=1e-6, atol=1e-8, seed=0):
    """Check one layer's forward against `reference` and backward numerically.

    layer: has forward(x, *forward_args) and backward(dout);
    params: {attribute holding a parameter: attribute holding its gradient},
    e.g. {"W": "dW", "b": "db"}; the layer must read those arrays by reference.
    reference: fn(x) -> the expected forward output (None: not checked).
    The loss is L = Σ forward(x)·G with a fixed random G, so backward(G) must
    return dL/dx (or None when the layer declares it does not compute it).
    Returns dx.
    """
    name = name or type(layer).__name__
    params = params or {}
    out = layer.forward(x, *forward_args)
    if reference is not None:
        check_close(out, reference(x), f"{name}.forward", rtol, atol)
    rng = np.random.default_rng(seed)
    scalar_out = np.ndim(out) == 0
    G = rng.standard_normal() if scalar_out else rng.standard_normal(np.shape(out))
    dout = G if scalar_out else G.astype(np.asarray(out).dtype)
    dout_before = np.copy(dout)

    dx = layer.backward(dout)
    if not scalar_out:
        check_close(dout, dout_before, f"{name}.backward must not modify dout", 0, 0)
    analytic = {p: np.copy(getattr(layer, g)) for p, g in params.items()}

    def loss():
        return _weighted_sum(layer.forward(x, *forward_args), G)

    if dx is not None:
        check_close(dx, central_difference(loss, x), f"{name}.dx", rtol, atol)
    for p, g in params.items():
        check_close(analytic[p], central_difference(loss, getattr(layer, p)),
                    f"{name}.{g} (gradient of {p})", rtol, atol)
    return dx


def check_net(net, x, t, *, name=None, rtol=1e-6, atol=1e-8):
    """net.gradient(x, t) against central differences of net.loss(x, t), per param."""
    name = name or type(net).__name__
    grads = net.gradient(x, t)
    if set(grads) != set(net.params):
        raise AssertionError(
            f"{name}: gradient keys {sorted(grads)} != params keys {sorted(net.params)}"
        )
    for key, param in net.params.items():
        expected = central_difference(lambda: net.loss(x, t), param)
        check_close(grads[key], expected, f"{name}.gradient['{key}']", rtol, atol)
    return grads
