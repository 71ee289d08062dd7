"""Optimizer updates for the "cupy" backend: one in-place CUDA kernel each.

`OptimizerKernels` is a part of `DeviceKernels` (fastnet.backend.cupy),
which supplies the kernel objects `self.k` (`build(cupy)`). Same names and
signatures as `fastnet.backend.numpy.optimizers`.
"""

from ..numpy import OPTIMIZER_EPS
from .launch import elementwise_kernels

# Optimizer updates, in place (param and state are output parameters).
# Scalars whose value the caller computes in double precision (1 - beta1,
# momentum², ...) are passed in ready-made, as reference.py computes them.
OPTIMIZERS = {
    # p -= lr·g
    "sgd": ("T grad, T lr", "T param", "param -= lr * grad"),
    # v = momentum·v - lr·g; p += v
    "momentum": (
        "T grad, T lr, T momentum",
        "T param, T velocity",
        "velocity = velocity * momentum - lr * grad; param += velocity",
    ),
    # p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g
    "nesterov": (
        "T grad, T lr, T momentum, T momentum_sq, T one_plus_momentum_lr",
        "T param, T velocity",
        "param += momentum_sq * velocity; param -= one_plus_momentum_lr * grad;"
        " velocity = velocity * momentum - lr * grad",
    ),
    # h += g²; p -= lr·g / (√h + eps)
    "adagrad": (
        "T grad, T lr, T eps",
        "T param, T h",
        "h += grad * grad; param -= lr * grad / (sqrt(h) + eps)",
    ),
    # h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + eps)
    "rmsprop": (
        "T grad, T lr, T decay, T one_minus_decay, T eps",
        "T param, T h",
        "h = h * decay + one_minus_decay * grad * grad;"
        " param -= lr * grad / (sqrt(h) + eps)",
    ),
    # h = decay·h + gain·g²; p -= lr·g / √(h + eps) (Keras' RMSprop and Adagrad)
    "rms": (
        "T grad, T lr, T decay, T gain, T eps",
        "T param, T h",
        "h = h * decay + gain * grad * grad; param -= lr * grad / sqrt(h + eps)",
    ),
    # m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + eps)
    "adam": (
        "T grad, T lr_t, T one_minus_beta1, T one_minus_beta2, T eps",
        "T param, T m, T v",
        "m += one_minus_beta1 * (grad - m); v += one_minus_beta2 * (grad * grad - v);"
        " param -= lr_t * m / (sqrt(v) + eps)",
    ),
}


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {"optimizers": elementwise_kernels(cupy, OPTIMIZERS, "{}_update")}


class OptimizerKernels:
    """The updates on `xp` arrays, in place.

    Scalars are combined here in double precision, exactly where the
    reference combines them.
    """

    def sgd_update(self, param, grad, lr):
        """p -= lr·g"""
        self.k.optimizers["sgd"](grad, lr, param)

    def momentum_update(self, param, grad, velocity, lr, momentum):
        """v = momentum·v - lr·g; p += v"""
        self.k.optimizers["momentum"](grad, lr, momentum, param, velocity)

    def nesterov_update(self, param, grad, velocity, lr, momentum):
        """p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g"""
        self.k.optimizers["nesterov"](
            grad, lr, momentum, momentum * momentum, (1 + momentum) * lr, param, velocity
        )

    def adagrad_update(self, param, grad, h, lr):
        """h += g²; p -= lr·g / (√h + 1e-7)"""
        self.k.optimizers["adagrad"](grad, lr, OPTIMIZER_EPS, param, h)

    def rmsprop_update(self, param, grad, h, lr, decay_rate):
        """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7)"""
        self.k.optimizers["rmsprop"](grad, lr, decay_rate, 1 - decay_rate, OPTIMIZER_EPS, param, h)

    def rms_update(self, param, grad, h, lr, decay, gain, eps, eps_inside_sqrt=True):
        """h = decay·h + gain·g²; p -= lr·g / √(h + eps), or lr·g / (√h + eps)"""
        # eps outside the root is the rmsprop kernel's rule, with gain for 1 - decay.
        rule = "rms" if eps_inside_sqrt else "rmsprop"
        self.k.optimizers[rule](grad, lr, decay, gain, eps, param, h)

    def adam_update(self, param, grad, m, v, lr_t, beta1, beta2):
        """m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + 1e-7)"""
        self.k.optimizers["adam"](grad, lr_t, 1 - beta1, 1 - beta2, OPTIMIZER_EPS, param, m, v)
