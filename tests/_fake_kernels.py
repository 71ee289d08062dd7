"""The kernels of the CUDA-free stand-in for CuPy (see _fake_device.py).

`fake_kernels(xp)` gives the objects `fastnet.backend.cupy.build(cupy)`
gives, with the CUDA code replaced by the reference math: elementwise
kernels take their inputs and (optional) outputs like CuPy's, check that
every array is a device array of one dtype, and write in place; row kernels
check their launch (grid × block covers the rows) and that every pointer argument is a
C-contiguous device array of the exact C type the CUDA source expects.
"""

import types

import numpy as np
from _fake_cupy import DeviceArray

from fastnet.backend import cupy as gpu
from fastnet.backend import numpy as reference
from fastnet.backend.cupy.norm import BATCHNORM
from fastnet.backend.numpy.elementwise import _sigmoid
from fastnet.backend.numpy.losses import _log1pexp


class FakeElementwise:
    """An ElementwiseKernel: `k(*inputs[, *outputs])`, the math done by `func`.

    func(*inputs) returns the outputs as NumPy arrays (or, for kernels that
    update their outputs in place, `func(*inputs, *outputs)` returns None).
    """

    def __init__(self, xp, spec, func, in_place=False):
        self.xp = xp
        self.n_in = len(spec[0].split(","))
        self.n_out = len(spec[1].split(","))
        self.func = func
        self.in_place = in_place

    def __call__(self, *args):
        if len(args) not in (self.n_in, self.n_in + self.n_out):
            raise TypeError(f"wrong number of arguments: {len(args)}")
        arrays = [a for a in args if not isinstance(a, (bool, int, float))]
        for a in arrays:
            if not isinstance(a, DeviceArray):
                raise TypeError(f"Unsupported type {type(a)} (a kernel argument not on the device)")
        if len({a.dtype for a in arrays}) != 1:  # every parameter is typed T
            raise TypeError(f"Type is mismatched: {[a.dtype for a in arrays]}")
        dtype = arrays[0].dtype.type
        # scalars are cast to T, like CuPy does
        raw = [a._data if isinstance(a, DeviceArray) else dtype(a) for a in args]
        with np.errstate(all="ignore"):  # a GPU does not warn about inf or NaN
            return self._run(args, raw, dtype)

    def _run(self, args, raw, dtype):
        if self.in_place:
            self.func(*raw)
            return None
        results = self.func(*raw[: self.n_in])
        results = results if isinstance(results, tuple) else (results,)
        results = tuple(np.asarray(r, dtype=dtype) for r in results)
        if len(args) > self.n_in:  # outputs given: write into them
            for out, r in zip(raw[self.n_in:], results):
                out[...] = r
            outs = args[self.n_in:]
        else:
            outs = tuple(self.xp._wrap(r.copy()) for r in results)
        return outs[0] if len(outs) == 1 else outs


class FakeRawKernel:
    """A RawKernel `k(grid, block, args)` for one C type of `real`.

    Checks what CuPy leaves unchecked: every pointer argument is a
    C-contiguous device array of the exact C type, every scalar a NumPy
    scalar of the exact C type, and grid × block covers the thread count
    (the first `long long` argument: rows, or output elements).
    """

    def __init__(self, xp, real_char, signature, func):
        self.xp = xp
        self.real = np.dtype(real_char)
        self.signature = signature  # C types: "real*", "int*", "long long*", "long long", "real"
        self.func = func

    def __call__(self, grid, block, args):
        if len(args) != len(self.signature):
            raise TypeError(f"{len(args)} arguments for {len(self.signature)} parameters")
        ctypes = {"real": self.real, "int": np.dtype(np.int32), "long long": np.dtype(np.int64)}
        raw = []
        for a, kind in zip(args, self.signature):
            want = ctypes[kind.rstrip("*")]
            if kind.endswith("*"):
                if not isinstance(a, DeviceArray):
                    raise TypeError(f"pointer argument is not a device array: {type(a)}")
                if a.dtype != want or not a.flags.c_contiguous:
                    raise TypeError(f"pointer argument must be C-contiguous {want}, got "
                                    f"{a.dtype} c_contiguous={a.flags.c_contiguous}")
                raw.append(a._data)
            else:  # RawKernel passes a NumPy scalar by its exact C type
                if not isinstance(a, np.generic) or a.dtype != want:
                    raise TypeError(f"scalar argument must be a NumPy {want}, got {a!r}")
                raw.append(a)
        threads = int(raw[self.signature.index("long long")])
        if grid[0] * block[0] < threads:
            raise ValueError(f"launch of {grid} x {block} threads does not cover {threads}")
        with np.errstate(all="ignore"):  # a GPU does not warn about inf or NaN
            self.func(*raw)


def _im2col(img, col, total, c, h, w, fh, fw, oh, ow, stride, pad):
    col[...] = reference.im2col(img, fh, fw, stride, pad)
    _check_total(total, col)


def _col2im(col, img, total, c, h, w, fh, fw, oh, ow, stride, pad):
    img[...] = reference.col2im(col, img.shape, fh, fw, stride, pad)
    _check_total(total, img)


def _max_pool_forward(img, out, arg_max, total, h, w, ph, pw, oh, ow, stride, pad):
    out[...], arg_max[...] = reference.max_pool_forward(img, ph, pw, stride, pad)
    _check_total(total, out)


def _max_pool_backward(dout, arg_max, dx, total, h, w, ph, pw, oh, ow, stride, pad):
    dx[...] = reference.max_pool_backward(dout, arg_max, dx.shape, ph, pw, stride, pad)
    _check_total(total, dx)


def _check_total(total, out):
    # The kernels run one thread per output element, `total` of them.
    if total != out.size:
        raise ValueError(f"total {total} but the output has {out.size} elements")


def _softmax_rows(x, y, n, c):
    y[...] = reference.softmax(x)


def _xent_labels(x, t, dx, logp, n, c, eps):
    y = reference.softmax(x)
    logp[...] = np.log(y[np.arange(n), t] + eps)
    y[np.arange(n), t] -= 1
    dx[...] = y / y.dtype.type(n)


def _xent_onehot(x, t, dx, logp, n, c, eps):
    y = reference.softmax(x)
    logp[...] = np.log(y[np.arange(n), t.argmax(axis=1)] + eps)
    dx[...] = (y - t) / y.dtype.type(n)


_SIZES = ("long long",) * 9  # total and the sizes after it
_CONV_SIGNATURES = {
    "im2col": (("real*", "real*", "long long") + _SIZES, _im2col),
    "col2im": (("real*", "real*", "long long") + _SIZES, _col2im),
    "max_pool_forward": (("real*", "real*", "int*", "long long") + _SIZES[:8],
                         _max_pool_forward),
    "max_pool_backward": (("real*", "int*", "real*", "long long") + _SIZES[:8],
                          _max_pool_backward),
}

def _embedding_backward(dout, order, first, grad, total, d, steps):
    # The GPU glue hands the kernel the look-ups sorted by table row; the
    # kernel sums each row's in the order given, so that order must be the
    # look-up order (a stable sort): then the reference's sums are the kernel's.
    rows = np.repeat(np.arange(len(first) - 1), np.diff(first))
    if (len(rows) != len(order) or not np.array_equal(np.sort(order), np.arange(len(order)))
            or not (np.diff(order)[np.diff(rows) == 0] > 0).all()):
        raise ValueError("order is not each table row's look-ups in look-up order")
    ids = np.empty(len(order), np.int64)
    ids[order] = rows
    grad[...] = reference.embedding_backward(dout, ids.reshape(len(dout), int(steps)), len(grad))
    _check_total(total, grad)


_EMBEDDING_SIGNATURE = (("real*", "long long*", "long long*", "real*", "long long", "long long",
                         "long long"), _embedding_backward)

_ROW_SIGNATURES = {
    "softmax_rows": (("real*", "real*", "long long", "long long"), _softmax_rows),
    "softmax_xent_labels": (("real*", "long long*", "real*", "real*", "long long",
                             "long long", "real"), _xent_labels),
    "softmax_xent_onehot": (("real*", "real*", "real*", "real*", "long long",
                             "long long", "real"), _xent_onehot),
}


def _sgd(grad, lr, param):
    param -= lr * grad


def _momentum(grad, lr, momentum, param, velocity):
    velocity *= momentum
    velocity -= lr * grad
    param += velocity


def _nesterov(grad, lr, momentum, momentum_sq, one_plus_momentum_lr, param, velocity):
    param += momentum_sq * velocity
    param -= one_plus_momentum_lr * grad
    velocity *= momentum
    velocity -= lr * grad


def _adagrad(grad, lr, eps, param, h):
    h += grad * grad
    param -= lr * grad / (np.sqrt(h) + eps)


def _rmsprop(grad, lr, decay, one_minus_decay, eps, param, h):
    h *= decay
    h += one_minus_decay * grad * grad
    param -= lr * grad / (np.sqrt(h) + eps)


def _rms(grad, lr, decay, gain, eps, param, h):
    h *= decay
    h += gain * grad * grad
    param -= lr * grad / np.sqrt(h + eps)


def _adam(grad, lr_t, one_minus_beta1, one_minus_beta2, eps, param, m, v):
    m += one_minus_beta1 * (grad - m)
    v += one_minus_beta2 * (grad * grad - v)
    param -= lr_t * m / (np.sqrt(v) + eps)


_OPTIMIZERS = {"sgd": _sgd, "momentum": _momentum, "nesterov": _nesterov,
               "adagrad": _adagrad, "rmsprop": _rmsprop, "rms": _rms, "adam": _adam}


def _bias_activation(act):
    def run(bias, c):
        c[...] = reference.activation_forward(c + bias, act)

    return run


def _sigmoid_bce(x, t, count):
    term = _log1pexp(x) - t * x
    return term, (_sigmoid(x) - t) / count


def fake_kernels(xp):
    """The same namespace as fastnet.backend.cupy.build(cupy), computed by the reference."""

    def ew(spec, func, in_place=False):
        return FakeElementwise(xp, spec, func, in_place)

    def raw(name, table):
        signature, func = table[name]
        return {char: FakeRawKernel(xp, char, signature, func) for char in gpu.launch.REAL_TYPES}

    return types.SimpleNamespace(
        activation_forward={
            act: ew(spec, lambda x, act=act: reference.activation_forward(x, act))
            for act, spec in gpu.elementwise.ACTIVATION_FORWARD.items()
        },
        activation_backward={
            act: ew(spec, lambda d, y, act=act: reference.activation_backward(d, y, act))
            for act, spec in gpu.elementwise.ACTIVATION_BACKWARD.items()
        },
        bias_activation={
            act: ew(spec, _bias_activation(act), in_place=True)
            for act, spec in gpu.gemm.BIAS_ACTIVATION.items()
        },
        sigmoid_bce=ew(gpu.losses.SIGMOID_BCE, _sigmoid_bce),
        optimizers={
            name: ew(spec, _OPTIMIZERS[name], in_place=True)
            for name, spec in gpu.optimizers.OPTIMIZERS.items()
        },
        batchnorm={
            "forward_train": ew(BATCHNORM["forward_train"], _bn_forward_train),
            "running": ew(BATCHNORM["running"], _bn_running, in_place=True),
            "forward_infer": ew(BATCHNORM["forward_infer"], _bn_forward_infer),
            "backward": ew(BATCHNORM["backward"], _bn_backward),
        },
        **{name: raw(name, _ROW_SIGNATURES) for name in gpu.losses.ROW_KERNEL_NAMES},
        **{name: raw(name, _CONV_SIGNATURES) for name in gpu.conv.CONV_KERNEL_NAMES},
        embedding_backward=raw("embedding_backward",
                               {"embedding_backward": _EMBEDDING_SIGNATURE}),
    )


def _bn_forward_train(x, mu, std, gamma, beta):
    xn = (x - mu) / std
    return xn, gamma * xn + beta


def _bn_running(mu, var, momentum, one_minus_momentum, running_mean, running_var):
    running_mean[...] = momentum * running_mean + one_minus_momentum * mu
    running_var[...] = momentum * running_var + one_minus_momentum * var


def _bn_forward_infer(x, running_mean, running_var, gamma, beta, eps):
    return gamma * ((x - running_mean) / np.sqrt(running_var + eps)) + beta


def _bn_backward(dout, xn, std, gamma, dgamma, dbeta, count):
    return (gamma / std) * (dout - dbeta / count - xn * (dgamma / count))
