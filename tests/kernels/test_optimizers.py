"""The book's optimizer updates: every backend against the reference, step by step.

The compiled updates round exactly like NumPy's separate operations, so the
comparison is exact (assert_array_equal), over several steps, and checks that
the SAME param and state objects were updated in place.
"""

import numpy as np
import pytest

import fastnet

# name -> (number of state arrays, hyper-parameters after the states)
UPDATES = {
    "sgd_update": (0, (0.01,)),
    "momentum_update": (1, (0.01, 0.9)),
    "nesterov_update": (1, (0.01, 0.9)),
    "adagrad_update": (1, (0.01,)),
    "rmsprop_update": (1, (0.01, 0.99)),
    "adam_update": (2, (0.001, 0.9, 0.999)),
    "rms_update": (1, (0.01, 0.9, 0.1, 1e-7)),  # Keras' RMSprop (lr, rho, 1-rho, eps)
}

# (131075,) is past the parallel threshold (2^17) and not a multiple of a vector.
SHAPES = [(0,), (1,), (7,), (13, 17), (784, 50), (131075,)]


def _arrays(shape, dtype, n_state, seed=0):
    rng = np.random.default_rng(seed)
    param = rng.standard_normal(shape).astype(dtype)
    # state starts at zero like the book's optimizers (v, h: zeros_like)
    states = [np.zeros(shape, dtype) for _ in range(n_state)]
    return param, states


def _hyper(name, step):
    n_state, hyper = UPDATES[name]
    if name == "adam_update":  # the book's bias-corrected lr_t changes every step
        lr, b1, b2 = hyper
        it = step + 1
        return (lr * np.sqrt(1 - b2**it) / (1 - b1**it), b1, b2)
    return hyper


@pytest.mark.parametrize("name", UPDATES)
@pytest.mark.parametrize("shape", SHAPES)
def test_update_matches_reference_step_by_step(backend, reference, dtype, name, shape):
    n_state = UPDATES[name][0]
    param, states = _arrays(shape, dtype, n_state)
    param_r, states_r = param.copy(), [s.copy() for s in states]
    param_id, state_ids = id(param), [id(s) for s in states]
    rng = np.random.default_rng(1)
    for step in range(4):
        grad = rng.standard_normal(shape).astype(dtype)
        hyper = _hyper(name, step)
        before = param.copy()
        out = getattr(backend, name)(param, grad, *states, *hyper)
        getattr(reference, name)(param_r, grad, *states_r, *hyper)
        assert out is None
        np.testing.assert_array_equal(param, param_r, err_msg=f"{name} step {step}: param")
        for i, (s, s_r) in enumerate(zip(states, states_r)):
            np.testing.assert_array_equal(s, s_r, err_msg=f"{name} step {step}: state {i}")
        if param.size:
            assert not np.array_equal(param, before), "param was not updated"
    assert id(param) == param_id and [id(s) for s in states] == state_ids


@pytest.mark.parametrize("name", UPDATES)
def test_update_writes_into_the_callers_arrays(backend, dtype, name):
    """Layers hold references to params: the update must be visible through them."""
    n_state = UPDATES[name][0]
    param, states = _arrays((5, 3), dtype, n_state)
    params = {"W": param}
    alias = params["W"]
    state_aliases = list(states)
    grad = np.ones((5, 3), dtype)
    getattr(backend, name)(params["W"], grad, *states, *_hyper(name, 0))
    assert alias is params["W"]
    assert not np.array_equal(alias, _arrays((5, 3), dtype, n_state)[0])
    for s, a in zip(states, state_aliases):
        assert s is a
        assert np.any(a != 0)  # every state moves away from zero with a non-zero grad


@pytest.mark.parametrize("name", UPDATES)
@pytest.mark.parametrize("which", ["param", "grad", "state"])
def test_non_contiguous_arrays_update_the_views(backend, reference, dtype, name, which):
    """A strided param or state is updated through the view itself (never a copy)."""
    n_state = UPDATES[name][0]
    if which == "state" and n_state == 0:
        pytest.skip("sgd has no state")
    rng = np.random.default_rng(2)

    def fresh(strided):
        base = rng.standard_normal((6, 10)).astype(dtype)
        return (base, base[:, ::2]) if strided else (base, base[:, :5].copy())

    base_p, param = fresh(which == "param")
    grad = rng.standard_normal((6, 10)).astype(dtype)[:, 1::2]
    if which != "grad":
        grad = grad.copy()
    states, bases = [], []
    for _ in range(n_state):
        base_s, s = fresh(which == "state")
        s[...] = np.abs(s)  # valid (non-negative) h and v
        states.append(s)
        bases.append(base_s)
    param_r, states_r = param.copy(), [s.copy() for s in states]
    for step in range(2):
        getattr(backend, name)(param, grad, *states, *_hyper(name, step))
        getattr(reference, name)(param_r, grad, *states_r, *_hyper(name, step))
    np.testing.assert_array_equal(param, param_r)
    for s, s_r in zip(states, states_r):
        np.testing.assert_array_equal(s, s_r)
    if which == "param":
        np.testing.assert_array_equal(base_p[:, ::2], param_r)
    if which == "state":
        np.testing.assert_array_equal(bases[0][:, ::2], states_r[0])


@pytest.mark.parametrize("name", UPDATES)
def test_mixed_dtype_grad_is_cast_to_param(backend, reference, name):
    n_state = UPDATES[name][0]
    param, states = _arrays((4, 9), np.float32, n_state)
    param_r, states_r = param.copy(), [s.copy() for s in states]
    grad = np.random.default_rng(3).standard_normal((4, 9))  # float64
    getattr(backend, name)(param, grad, *states, *_hyper(name, 0))
    getattr(reference, name)(param_r, grad.astype(np.float32), *states_r, *_hyper(name, 0))
    assert param.dtype == np.float32
    np.testing.assert_array_equal(param, param_r)


@pytest.mark.parametrize("name", UPDATES)
def test_one_and_two_threads_agree(backend, dtype, name):
    n_state = UPDATES[name][0]
    shape = (600, 500)
    grad = np.random.default_rng(4).standard_normal(shape).astype(dtype)
    results = []
    for threads in (1, 2):
        fastnet.set_num_threads(threads)
        param, states = _arrays(shape, dtype, n_state)
        for step in range(2):
            getattr(backend, name)(param, grad, *states, *_hyper(name, step))
        results.append([param, *states])
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("shape", [(0,), (13, 17), (131075,)])
def test_rms_update_with_eps_outside_the_root_is_the_books_rmsprop(backend, reference, dtype,
                                                                   shape):
    """rms_update(eps_inside_sqrt=False) adds eps after the root, as rmsprop_update does."""
    rng = np.random.default_rng(5)
    param, h = rng.standard_normal(shape).astype(dtype), np.zeros(shape, dtype)
    param_r, h_r = param.copy(), h.copy()
    param_book, h_book = param.copy(), h.copy()
    for _ in range(3):
        grad = rng.standard_normal(shape).astype(dtype)
        backend.rms_update(param, grad, h, 0.01, 0.99, 1 - 0.99, 1e-7, eps_inside_sqrt=False)
        reference.rms_update(param_r, grad, h_r, 0.01, 0.99, 1 - 0.99, 1e-7,
                             eps_inside_sqrt=False)
        reference.rmsprop_update(param_book, grad, h_book, 0.01, 0.99)
    np.testing.assert_array_equal(param, param_r)
    np.testing.assert_array_equal(h, h_r)
    np.testing.assert_array_equal(param_r, param_book)
