"""fastnet.optimizers against the book's update rules, written out literally here."""

import numpy as np
import pytest
from _gradcheck import check_close

import fastnet
from fastnet import optimizers

# Five steps compound rounding: float32 kernels may also order the
# arithmetic differently from the float64 oracle.
RTOL = {np.float32: 2e-5, np.float64: 1e-12}
ATOL = {np.float32: 2e-6, np.float64: 1e-13}


class BookSGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


class BookMomentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class BookNesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]


class BookAdaGrad:
    def __init__(self, lr=0.01):
        self.lr, self.h = lr, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class BookRMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr, self.decay_rate, self.h = lr, decay_rate, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class BookAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params:
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


# (fastnet class, book class, non-default constructor arguments, state attributes)
CASES = [
    (optimizers.SGD, BookSGD, {"lr": 0.1}, ()),
    (optimizers.Momentum, BookMomentum, {"lr": 0.05, "momentum": 0.8}, ("v",)),
    (optimizers.Nesterov, BookNesterov, {"lr": 0.05, "momentum": 0.7}, ("v",)),
    (optimizers.AdaGrad, BookAdaGrad, {"lr": 0.3}, ("h",)),
    (optimizers.RMSprop, BookRMSprop, {"lr": 0.02, "decay_rate": 0.9}, ("h",)),
    (optimizers.Adam, BookAdam, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99}, ("m", "v")),
]
IDS = [c[0].__name__ for c in CASES]
SHAPES = {"W1": (7, 5), "b1": (5,), "W2": (5, 3), "b2": (3,), "gamma": (1,)}


def random_params(dtype, seed):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}


@pytest.mark.parametrize("defaults", [False, True], ids=["args", "defaults"])
@pytest.mark.parametrize("cls, book_cls, kwargs, state", CASES, ids=IDS)
def test_matches_the_book_step_by_step(backend, dtype, cls, book_cls, kwargs, state, defaults):
    kwargs = {} if defaults else kwargs
    params = random_params(dtype, 0)
    expected = {k: v.astype(np.float64) for k, v in params.items()}
    ids = {k: id(v) for k, v in params.items()}
    book = book_cls(**kwargs)
    with fastnet.using_backend(backend.name):
        opt = cls(**kwargs)
        for step in range(1, 6):
            grads = random_params(dtype, step)
            opt.update(params, grads)
            book.update(expected, {k: g.astype(np.float64) for k, g in grads.items()})
            for key in params:
                check_close(params[key], expected[key],
                            f"{cls.__name__} step {step} params['{key}'] on {backend.name}",
                            RTOL[dtype], ATOL[dtype])
    assert {k: id(v) for k, v in params.items()} == ids, "params were replaced, not updated"
    assert all(p.dtype == dtype for p in params.values())
    for name in state:
        for key in params:
            check_close(getattr(opt, name)[key], getattr(book, name)[key],
                        f"{cls.__name__}.{name}['{key}']", RTOL[dtype], ATOL[dtype])
    if cls is optimizers.Adam:
        assert opt.iter == 5


@pytest.mark.parametrize("cls, book_cls, kwargs, state", CASES, ids=IDS)
def test_book_attributes_and_defaults(cls, book_cls, kwargs, state):
    ours, book = cls(), book_cls()
    for name, value in vars(book).items():
        assert getattr(ours, name) == value, f"{cls.__name__}.{name}"
    for name in state:
        assert getattr(ours, name) is None, f"{cls.__name__}.{name} is created on first update"


def test_float32_grads_update_float64_params(backend):
    params = random_params(np.float64, 0)
    grads = random_params(np.float32, 1)
    expected = {k: params[k] - 0.1 * grads[k].astype(np.float64) for k in params}
    with fastnet.using_backend(backend.name):
        optimizers.SGD(lr=0.1).update(params, grads)
    for key in params:
        assert params[key].dtype == np.float64
        check_close(params[key], expected[key], f"SGD params['{key}']", 1e-12, 1e-13)
