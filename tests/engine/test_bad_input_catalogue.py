"""The bad-input catalogue: wrong input to the public API is a clear ValueError / TypeError.

One table, grouped by area: fastnet.functions, .layers (forward and backward
of each), .nets, .optimizers, .gradient, the global switches, the book's
names in fastnet.scratch, and fastnet.keras' arguments. Each row names one
kind of bad input (a wrong type, dtype, ndim or shape, byte order or
alignment of an array updated in place, NaN, a label or value out of range,
a size of zero or less, a read-only array) and the regex its message must
match: the argument, the value or shape, what is allowed. Every row runs on
the "numpy" and "cython" backends (tests/_bad_input.py). Files (params,
IDX, models, data caches) are in test_bad_input_catalogue_files.py; bad
input to the kernels themselves in tests/test_bad_inputs*.py.

FOUND_AND_FIXED holds the rows this catalogue found failing, each with the
defect it was (a fifth item, for the reader): every one is fixed and the row
is its regression test.
"""

import numpy as np
import pytest
from _bad_input import assert_refused, rows

import fastnet
from fastnet import functions as F
from fastnet import gradient as G
from fastnet import layers as L
from fastnet import nets as N
from fastnet import optimizers as O

X = np.random.default_rng(0).standard_normal((4, 3))
T = np.array([0, 2, 1, 2])
W, B = np.ones((3, 5)), np.zeros(5)
IMG = np.ones((2, 3, 5, 5))
FILTERS = np.ones((2, 3, 3, 3))


def big_endian(a):
    return a.astype(a.dtype.newbyteorder(">"))


def misaligned(n=3):
    """A writable float64 array whose data starts one byte past an 8-byte boundary."""
    return np.frombuffer(bytearray(8 * n + 1), np.float64, n, offset=1)


def read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def after_forward(layer, *args):
    layer.forward(*args)
    return layer


def bn(momentum=0.9, **stats):
    return L.BatchNormalization(np.ones(3), np.zeros(3), momentum, **stats)


def one():  # a params or grads dict
    return {"W": np.ones(3)}


def update_twice(optimizer, second):
    optimizer.update(one(), one())
    optimizer.update(second, {key: np.ones_like(v) for key, v in second.items()})


def small_convnet(**kw):
    return N.SimpleConvNet((1, 8, 8), {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
                           **kw)


CASES = [
    # -- fastnet.functions
    ("sigmoid/complex",
     lambda: F.sigmoid(np.array([1 + 2j])), TypeError, r"sigmoid: x .*complex128"),
    ("relu/None", lambda: F.relu(None), TypeError, r"relu: x must be an array .*NoneType"),
    ("relu_grad/dict", lambda: F.relu_grad({"a": 1}), TypeError, r"relu_grad: x .*got dict"),
    ("sigmoid_grad/str", lambda: F.sigmoid_grad("x"), TypeError, r"x must be an array .*got str"),
    ("step_function/str", lambda: F.step_function("abc"), TypeError, r"step_function: x .*str"),
    ("softmax/object", lambda: F.softmax(np.array([1, "a"], dtype=object)), TypeError,
     r"softmax: x .*dtype object"),
    ("softmax/NaN", lambda: F.softmax([[1.0, np.nan]]), ValueError, r"softmax: .*NaN or inf"),
    ("cross_entropy_error/label>=C", lambda: F.cross_entropy_error(np.full((2, 3), 0.3), [0, 3]),
     ValueError, r"labels must lie in \[0, 3\).*from 0 to 3"),
    ("cross_entropy_error/count", lambda: F.cross_entropy_error(np.full((2, 3), 0.3), [0, 1, 2]),
     ValueError, r"2 rows in x \(2, 3\) but 3 labels"),
    ("cross_entropy_error/float labels", lambda: F.cross_entropy_error(
        np.full((2, 3), 0.3), [0.5, 1.0]), ValueError, r"one-hot t must have the shape of x"),
    ("cross_entropy_error/str t",
     lambda: F.cross_entropy_error(np.full((2, 3), 0.3), np.array(["a", "b"])),
     TypeError, r"t must be integer labels .*got dtype <U1"),
    ("sum_squared_error/shape", lambda: F.sum_squared_error(np.ones(3), np.ones(4)), ValueError,
     r"t has shape \(4,\) but y has shape \(3,\)"),
    ("sum_squared_error/NaN", lambda: F.sum_squared_error(np.ones(2), [1, np.nan]), ValueError,
     r"y or t contains NaN or inf"),
    ("sum_squared_error/None", lambda: F.sum_squared_error(None, np.ones(3)), TypeError,
     r"sum_squared_error: y must be an array .*NoneType"),
    ("softmax_loss/label<0", lambda: F.softmax_loss(X, [0, 1, 2, -1]), ValueError,
     r"labels must lie in \[0, 3\).*from -1"),
    # -- fastnet.layers: Affine, the activations, SoftmaxWithLoss
    ("Affine.forward/str", lambda: L.Affine(W, B).forward("abc"), TypeError,
     r"Affine.forward: x must be an array .*str"),
    ("Affine.forward/scalar", lambda: L.Affine(W, B).forward(3.0), ValueError,
     r"Affine.forward: x must be an array with the batch axis first, got a scalar"),
    ("Affine.forward/shape", lambda: L.Affine(W, B).forward(np.ones((4, 2))), ValueError,
     r"cannot multiply op\(a\) \(4, 2\) by op\(b\) \(3, 5\)"),
    ("Affine.forward/int", lambda: L.Affine(W, B).forward(np.ones((4, 3), int)), TypeError,
     r"must be float32 or float64, got dtype int64"),
    ("Affine.forward/bias", lambda: L.Affine(W, np.zeros(4)).forward(X), ValueError,
     r"bias must have shape \(5,\), got \(4,\)"),
    ("Affine.forward/activation", lambda: L.Affine(W, B, "gelu").forward(X), ValueError,
     r"activation must be one of .*'gelu'"),
    ("Affine.backward/first", lambda: L.Affine(W, B).backward(np.ones((4, 5))), ValueError,
     r"Affine.backward: call forward before backward"),
    ("Affine.backward/shape", lambda: after_forward(L.Affine(W, B, "relu"), X).backward(
        np.ones((3, 5))), ValueError, r"y has shape \(4, 5\) but dout has shape \(3, 5\)"),
    ("Relu.forward/None", lambda: L.Relu().forward(None), TypeError, r"x must be an array .*None"),
    ("Relu.forward/complex", lambda: L.Relu().forward(np.ones(3, complex)), TypeError,
     r"x must be float32 or float64, got dtype complex128"),
    ("Relu.backward/first", lambda: L.Relu().backward(np.ones(3)), ValueError,
     r"Relu.backward: call forward before backward"),
    ("Relu.backward/shape", lambda: after_forward(L.Relu(), np.ones(3)).backward(np.ones(4)),
     ValueError, r"y has shape \(3,\) but dout has shape \(4,\)"),
    ("Sigmoid.forward/bool", lambda: L.Sigmoid().forward(np.ones(3, bool)), TypeError,
     r"got dtype bool"),
    ("Tanh.forward/float16", lambda: L.Tanh().forward(np.ones(3, np.float16)), TypeError,
     r"x must be float32 or float64, got dtype float16"),
    ("SoftmaxWithLoss.forward/label>=C", lambda: L.SoftmaxWithLoss().forward(X, [0, 1, 2, 3]),
     ValueError, r"labels must lie in \[0, 3\)"),
    ("SoftmaxWithLoss.forward/NaN target", lambda: L.SoftmaxWithLoss().forward(
        X, np.where(np.eye(4, 3) == 1, np.nan, 0.0)), ValueError, r"target t contains NaN"),
    ("SoftmaxWithLoss.forward/NaN x", lambda: L.SoftmaxWithLoss().forward(np.full((4, 3), np.nan),
     T), ValueError, r"the input contains NaN or inf"),
    ("SoftmaxWithLoss.forward/t None", lambda: L.SoftmaxWithLoss().forward(X, None), TypeError,
     r"t must be an array of numbers, got NoneType"),
    ("SoftmaxWithLoss.forward/1-D x", lambda: L.SoftmaxWithLoss().forward(np.ones(3), [0]),
     ValueError, r"x must be 2-D, got shape \(3,\)"),
    ("SoftmaxWithLoss.backward/first", lambda: L.SoftmaxWithLoss().backward(), ValueError,
     r"SoftmaxWithLoss.backward: call forward before backward"),
    ("SoftmaxWithLoss.backward/str", lambda: after_forward(L.SoftmaxWithLoss(), X, T).backward(
        "x"), TypeError, r"SoftmaxWithLoss.backward: dout must be an array .*str"),
    ("SoftmaxWithLoss.backward/shape", lambda: after_forward(L.SoftmaxWithLoss(), X, T).backward(
        np.ones(5)), ValueError,
     r"dout \(5,\) does not broadcast to the gradient's shape \(4, 3\)"),
    # -- fastnet.layers: Convolution, Pooling, PooledConvolution
    ("Convolution/stride 0", lambda: L.Convolution(FILTERS, np.zeros(2), 0).forward(IMG),
     ValueError, r"stride must be an integer >= 1, got 0"),
    ("Convolution/stride str", lambda: L.Convolution(FILTERS, np.zeros(2), "1").forward(IMG),
     ValueError, r"stride must be an integer >= 1, got '1'"),
    ("Convolution/pad -1", lambda: L.Convolution(FILTERS, np.zeros(2), pad=-1).forward(IMG),
     ValueError, r"pad must be an integer >= 0, got -1"),
    ("Convolution.forward/None", lambda: L.Convolution(FILTERS, np.zeros(2)).forward(None),
     TypeError, r"conv_forward: x must be an array .*NoneType"),
    ("Convolution.forward/int", lambda: L.Convolution(FILTERS, np.zeros(2)).forward(
        IMG.astype(int)), TypeError, r"x must be float32 or float64, got dtype int64"),
    ("Convolution/W float16", lambda: L.Convolution(FILTERS.astype(np.float16), np.zeros(2))
     .forward(IMG), TypeError, r"W must be float32 or float64, got dtype float16"),
    ("Convolution/activation", lambda: L.Convolution(FILTERS, np.zeros(2), activation="gelu")
     .forward(IMG), ValueError, r"activation must be one of .*'gelu'"),
    ("Convolution.backward/first", lambda: L.Convolution(FILTERS, np.zeros(2)).backward(
        np.ones((2, 2, 3, 3))), ValueError, r"Convolution.backward: call forward"),
    ("Convolution.backward/shape", lambda: after_forward(L.Convolution(FILTERS, np.zeros(2)), IMG)
     .backward(np.ones((2, 2, 2, 2))), ValueError, r"dout must have shape \(2, 2, 3, 3\)"),
    ("Pooling/pool 0", lambda: L.Pooling(0, 2).forward(IMG), ValueError, r">= 1, got 0"),
    ("Pooling/too big", lambda: L.Pooling(6, 6).forward(IMG), ValueError,
     r"pool 6x6 is bigger than the input \(2, 3, 5, 5\)"),
    ("Pooling.forward/2-D", lambda: L.Pooling(2, 2).forward(np.ones((5, 5))), ValueError,
     r"x must be 4-D \(N, C, H, W\), got shape \(5, 5\)"),
    ("Pooling.forward/int32", lambda: L.Pooling(2, 2).forward(IMG.astype(np.int32)), TypeError,
     r"got dtype int32"),
    ("Pooling.backward/first", lambda: L.Pooling(2, 2).backward(np.ones((2, 3, 2, 2))),
     ValueError, r"Pooling.backward: call forward"),
    ("Pooling.backward/shape", lambda: after_forward(L.Pooling(2, 2), IMG).backward(
        np.ones((2, 3, 3, 3))), ValueError, r"dout must have shape \(2, 3, 2, 2\)"),
    ("PooledConvolution/pool too big", lambda: L.PooledConvolution(
        FILTERS, np.zeros(2), pool_h=4, pool_w=4).forward(IMG), ValueError, r"pool 4x4 is bigger"),
    ("PooledConvolution/pool_stride 0", lambda: L.PooledConvolution(
        FILTERS, np.zeros(2), pool_stride=0).forward(IMG), ValueError, r"stride .*>= 1, got 0"),
    ("PooledConvolution.backward/first", lambda: L.PooledConvolution(FILTERS, np.zeros(2))
     .backward(np.ones((2, 2, 1, 1))), ValueError, r"PooledConvolution.backward: call forward"),
    ("PooledConvolution.backward/shape", lambda: after_forward(L.PooledConvolution(
        FILTERS, np.zeros(2)), IMG).backward(np.ones((2, 2, 2, 2))), ValueError,
     r"dout must have shape \(2, 2, 1, 1\)"),
    # -- fastnet.layers: BatchNormalization, Dropout
    ("BatchNormalization/momentum NaN", lambda: bn(np.nan).forward(X), ValueError,
     r"momentum must be finite, got nan"),
    ("BatchNormalization/momentum str", lambda: bn("0.9").forward(X), TypeError,
     r"momentum must be a number, got '0.9'"),
    ("BatchNormalization/momentum -1", lambda: bn(-1).forward(X), ValueError,
     r"momentum must lie in \[0, 1\], got -1"),
    ("BatchNormalization/momentum 1.5", lambda: bn(1.5).forward(X), ValueError,
     r"momentum must lie in \[0, 1\], got 1\.5"),
    ("BatchNormalization/gamma None", lambda: L.BatchNormalization(None, np.zeros(3)).forward(X),
     TypeError, r"gamma must be an array of numbers, got NoneType"),
    ("BatchNormalization.forward/scalar", lambda: bn().forward(1.0), ValueError,
     r"BatchNormalization.forward: x must be an array with the batch axis first"),
    ("BatchNormalization.forward/int", lambda: bn().forward(np.ones((4, 3), int)), TypeError,
     r"x must be float32 or float64, got dtype int64"),
    ("BatchNormalization/read-only running_mean", lambda: bn(
        running_mean=read_only(np.zeros(3)), running_var=np.ones(3)).forward(X), ValueError,
     r"running_mean is read-only"),
    ("BatchNormalization/big-endian running_mean", lambda: bn(
        running_mean=big_endian(np.zeros(3)), running_var=np.ones(3)).forward(X), TypeError,
     r"running_mean has non-native byte order \(dtype '>f8'\)"),
    ("BatchNormalization/misaligned running_mean", lambda: bn(
        running_mean=misaligned(), running_var=np.ones(3)).forward(X), TypeError,
     r"running_mean's data is not aligned to its 8-byte items"),
    ("BatchNormalization/running_var list", lambda: bn(
        running_mean=np.zeros(3), running_var=[1.0] * 3).forward(X), TypeError,
     r"running_var is updated in place, so it must be a \S+, got list"),
    ("BatchNormalization/running_mean shape", lambda: bn(
        running_mean=np.zeros(2), running_var=np.ones(2)).forward(X, False), ValueError,
     r"running_mean must be a float64 array of shape \(3,\) .*got float64 \(2,\)"),
    ("BatchNormalization.backward/first", lambda: bn().backward(X), ValueError,
     r"call forward\(x, train_flg=True\) before backward"),
    ("BatchNormalization.backward/after inference", lambda: after_forward(bn(), X, False)
     .backward(X), ValueError, r"call forward\(x, train_flg=True\) before backward"),
    ("BatchNormalization.backward/shape", lambda: after_forward(bn(), X).backward(
        np.ones((4, 2))), ValueError, r"dout has shape \(4, 2\) but xn has shape \(4, 3\)"),
    ("Dropout/ratio 1", lambda: L.Dropout(1.0).forward(X), ValueError,
     r"dropout_ratio must lie in \[0, 1\), got 1.0"),
    ("Dropout/ratio NaN", lambda: L.Dropout(np.nan).forward(X), ValueError,
     r"dropout_ratio must (be finite|lie in \[0, 1\)), got nan"),
    ("Dropout/ratio<0 inference", lambda: L.Dropout(-0.5).forward(X, False), ValueError,
     r"dropout_infer: dropout_ratio must lie in \[0, 1\), got -0.5"),
    ("Dropout.forward/None", lambda: L.Dropout().forward(None), TypeError,
     r"Dropout.forward: x must be an array .*NoneType"),
    ("Dropout.backward/first", lambda: L.Dropout().backward(X), ValueError,
     r"Dropout.backward: call forward"),
    ("Dropout.backward/shape", lambda: after_forward(L.Dropout(), X).backward(np.ones((3, 4))),
     ValueError, r"mask must be a boolean array of dout's shape \(3, 4\)"),
    # -- fastnet.nets
    ("MultiLayerNet/activation", lambda: N.MultiLayerNet(3, [4], 3, "gelu"), ValueError,
     r"activation must be one of \('relu', 'sigmoid', 'tanh'\), got 'gelu'"),
    ("MultiLayerNet/weight_init_std", lambda: N.MultiLayerNet(3, [4], 3, weight_init_std="glorot"),
     ValueError, r"weight_init_std must be a number or one of .*got 'glorot'"),
    ("MultiLayerNetExtend/activation", lambda: N.MultiLayerNetExtend(3, [4], 3, "elu"),
     ValueError, r"activation must be one of .*got 'elu'"),
    ("MultiLayerNetExtend/dropout_ration", lambda: N.MultiLayerNetExtend(
        3, [4], 3, use_dropout=True, dropout_ration=1.5).gradient(X, T), ValueError,
     r"dropout_ratio must lie in \[0, 1\), got 1.5"),
    ("TwoLayerNet.predict/None", lambda: N.TwoLayerNet(3, 4, 3).predict(None), TypeError,
     r"x must be an array of numbers, got NoneType"),
    ("TwoLayerNet.predict/features", lambda: N.TwoLayerNet(3, 4, 3).predict(np.ones((2, 5))),
     ValueError, r"cannot multiply op\(a\) \(2, 5\) by op\(b\) \(3, 4\)"),
    ("TwoLayerNet.loss/label>=C", lambda: N.TwoLayerNet(3, 4, 3).loss(X, [0, 1, 2, 3]),
     ValueError, r"labels must lie in \[0, 3\)"),
    ("TwoLayerNet.loss/count", lambda: N.TwoLayerNet(3, 4, 3).loss(X, T[:3]), ValueError,
     r"4 rows in x \(4, 3\) but 3 labels"),
    ("TwoLayerNet.gradient/NaN x", lambda: N.TwoLayerNet(3, 4, 3).gradient(X * np.nan, T),
     ValueError, r"the input contains NaN or inf"),
    ("TwoLayerNet.accuracy/None", lambda: N.TwoLayerNet(3, 4, 3).accuracy(X, None), TypeError,
     r"accuracy: t must be an array of numbers, got NoneType"),
    ("MultiLayerNet.numerical_gradient/label", lambda: N.MultiLayerNet(3, [2], 3)
     .numerical_gradient(X, [0, 1, 2, 5]), ValueError, r"labels must lie in \[0, 3\)"),
    ("SimpleConvNet.loss/channels", lambda: small_convnet().loss(np.ones((2, 3, 8, 8)), [0, 1]),
     ValueError, r"x \(2, 3, 8, 8\) has 3 channels but W \(2, 1, 3, 3\) expects 1"),
    ("DeepConvNet.predict/channels", lambda: N.DeepConvNet().predict(np.ones((1, 3, 28, 28))),
     ValueError, r"has 3 channels but W \(16, 1, 3, 3\) expects 1"),
    # -- fastnet.optimizers: hyperparameters, then params and grads (updated in place)
    ("SGD/lr None", lambda: O.SGD(None).update(one(), one()), TypeError,
     r"lr must be a number, got None"),
    ("SGD/lr NaN", lambda: O.SGD(np.nan).update(one(), one()), ValueError,
     r"lr must be finite, got nan"),
    ("Momentum/momentum str", lambda: O.Momentum(momentum="0.9").update(one(), one()), TypeError,
     r"momentum must be a number, got '0.9'"),
    ("Nesterov/momentum inf", lambda: O.Nesterov(momentum=np.inf).update(one(), one()),
     ValueError, r"momentum must be finite, got inf"),
    ("RMSprop/decay_rate None", lambda: O.RMSprop(decay_rate=None).update(one(), one()),
     TypeError, r"decay_rate must be a number, got None"),
    ("Adam/beta1 1", lambda: O.Adam(beta1=1.0).update(one(), one()), ValueError,
     r"beta1 and beta2 must lie in \[0, 1\), got 1.0 and 0.999"),
    ("Adam/lr str", lambda: O.Adam(lr="x").update(one(), one()), TypeError,
     r"Adam.update: lr must be a number, got 'x'"),
    ("SGD.update/params list", lambda: O.SGD().update([np.ones(3)], [np.ones(3)]), TypeError,
     r"SGD.update: params must be a dict of arrays .*got list"),
    ("Adam.update/params array", lambda: O.Adam().update(np.ones(3), np.ones(3)), TypeError,
     r"Adam.update: params must be a dict .*got ndarray"),
    ("SGD.update/grads missing", lambda: O.SGD().update(one(), {}), ValueError,
     r"grads has no entry for \['W'\]"),
    ("SGD.update/read-only param", lambda: O.SGD().update({"W": read_only(np.ones(3))}, one()),
     ValueError, r"param is read-only"),
    ("SGD.update/big-endian param", lambda: O.SGD().update({"W": big_endian(np.ones(3))}, one()),
     TypeError, r"param has non-native byte order \(dtype '>f8'\)"),
    ("SGD.update/misaligned param", lambda: O.SGD().update({"W": misaligned()}, one()),
     TypeError, r"param's data is not aligned to its 8-byte items"),
    ("SGD.update/int param", lambda: O.SGD().update({"W": np.ones(3, int)}, one()), TypeError,
     r"param must be float32 or float64, got dtype int64"),
    ("SGD.update/list param", lambda: O.SGD().update({"W": [1.0, 2.0, 3.0]}, one()), TypeError,
     r"param is updated in place, so it must be a \S+, got list"),
    ("SGD.update/grad shape", lambda: O.SGD().update(one(), {"W": np.ones(4)}), ValueError,
     r"grad has shape \(4,\) but param has shape \(3,\)"),
    ("SGD.update/complex grad", lambda: O.SGD().update(one(), {"W": np.ones(3, complex)}),
     TypeError, r"grad must be float32 or float64, got dtype complex128"),
    ("Adam.update/float16 param", lambda: O.Adam().update({"W": np.ones(3, np.float16)}, one()),
     TypeError, r"param must be float32 or float64, got dtype float16"),
    ("Momentum.update/new shape", lambda: update_twice(O.Momentum(), {"W": np.ones(4)}),
     ValueError, r"optimizer state velocity \(3,\) float64 does not match param \(4,\)"),
    ("AdaGrad.update/new dtype", lambda: update_twice(O.AdaGrad(), {"W": np.ones(3, np.float32)}),
     ValueError, r"optimizer state h \(3,\) float64 does not match param \(3,\) float32"),
    # -- fastnet.gradient: x is perturbed in place
    ("numerical_gradient/f None", lambda: G.numerical_gradient(None, np.ones(3)), TypeError,
     r"f must be a function of x, got NoneType"),
    ("numerical_gradient/x list", lambda: G.numerical_gradient(sum, [1.0, 2.0]), TypeError,
     r"x must be a float32 or float64 array .*got list"),
    ("numerical_gradient/x int", lambda: G.numerical_gradient(sum, np.ones(3, int)), TypeError,
     r"x must be a float32 or float64 array .*got dtype int64"),
    ("numerical_gradient/x float16", lambda: G.numerical_gradient(sum, np.ones(3, np.float16)),
     TypeError, r"got dtype float16"),
    ("numerical_gradient/x read-only", lambda: G.numerical_gradient(sum, read_only(np.ones(3))),
     ValueError, r"x is read-only, but it is perturbed in place"),
    ("numerical_gradient_2d/3-D", lambda: G.numerical_gradient_2d(sum, np.ones((2, 2, 2))),
     ValueError, r"X must be 1-D or 2-D, got shape \(2, 2, 2\)"),
    # -- fastnet's global switches
    ("set_num_threads/0", lambda: fastnet.set_num_threads(0), ValueError, r"n must be >= 1, got 0"),
    ("set_num_threads/float", lambda: fastnet.set_num_threads(1.5), TypeError,
     r"n must be an int, got float"),
    ("set_num_threads/bool", lambda: fastnet.set_num_threads(True), TypeError,
     r"n must be an int, got bool"),
    ("set_num_threads/huge", lambda: fastnet.set_num_threads(10**6), ValueError,
     r"n must be <= \d+ \(4 per CPU.*got 1000000"),
    ("set_backend/unknown", lambda: fastnet.set_backend("tensorflow"), ValueError,
     r"unknown backend 'tensorflow'; choose one of"),
    ("set_backend/None", lambda: fastnet.set_backend(None), ValueError, r"unknown backend None"),
    ("using_backend/unknown", lambda: fastnet.using_backend("tpu").__enter__(), ValueError,
     r"unknown backend 'tpu'"),
]

# (id, call, error, regex, the defect it was before its fix).
FOUND_AND_FIXED = [
    ("Dropout/ratio None", lambda: L.Dropout(None).forward(X), TypeError,
     r"dropout_ratio must be a number, got None",
     "Dropout(None).forward raises float()'s TypeError, which names no argument"),
    ("Affine.forward/W None", lambda: L.Affine(None, B).forward(X), TypeError, r"\bW\b.*NoneType",
     "Affine(None, b).forward says 'gemm: b must be an array', b reads as Affine's bias"),
    ("TwoLayerNet/hidden_size<0", lambda: N.TwoLayerNet(3, -4, 3), ValueError,
     r"hidden_size.*-4", "TwoLayerNet(3, -4, 3): NumPy's 'negative dimensions are not allowed'"),
    ("TwoLayerNet/input_size float", lambda: N.TwoLayerNet(3.5, 4, 3), TypeError,
     r"input_size.*3\.5", "TwoLayerNet(3.5, 4, 3): \"'float' object cannot be interpreted as an "
     "integer\", no argument named"),
    ("TwoLayerNet/dtype int", lambda: N.TwoLayerNet(3, 4, 3, dtype=np.int32), TypeError,
     r"dtype.*int32", "TwoLayerNet(..., dtype=np.int32) builds; its first loss fails in gemm"),
    ("TwoLayerNet/weight_init_std str", lambda: N.TwoLayerNet(3, 4, 3, weight_init_std="he"),
     TypeError, r"weight_init_std.*'he'",
     "TwoLayerNet(..., weight_init_std='he') raises NumPy's UFuncTypeError"),
    ("MultiLayerNet/hidden_size_list int", lambda: N.MultiLayerNet(3, 4, 3), TypeError,
     r"hidden_size_list.*4", "MultiLayerNet(3, 4, 3): \"'int' object is not iterable\""),
    ("MultiLayerNet/weight_decay_lambda NaN", lambda: N.MultiLayerNet(
        3, [4], 3, weight_decay_lambda=np.nan).loss(X, T), ValueError, r"weight_decay_lambda.*nan",
     "MultiLayerNet(..., weight_decay_lambda=nan).loss returns nan silently"),
    ("SimpleConvNet/stride 0", lambda: N.SimpleConvNet((1, 8, 8), {
        "filter_num": 2, "filter_size": 3, "pad": 0, "stride": 0}), ValueError, r"stride.*0",
     "SimpleConvNet with conv_param stride 0 raises ZeroDivisionError"),
    ("SimpleConvNet/conv_param key", lambda: N.SimpleConvNet((1, 8, 8), {
        "filter_num": 2, "filter_size": 3}), ValueError, r"conv_param.*'pad'",
     "SimpleConvNet with a conv_param lacking 'pad' raises KeyError: 'pad'"),
    ("TwoLayerNet.accuracy/empty", lambda: N.TwoLayerNet(3, 4, 3).accuracy(
        np.ones((0, 3)), np.zeros(0, int)), ValueError, r"accuracy: .*(no|0) samples",
     "TwoLayerNet.accuracy on 0 samples raises ZeroDivisionError"),
    ("SimpleConvNet.accuracy/empty", lambda: small_convnet().accuracy(
        np.ones((0, 1, 8, 8)), np.zeros(0, int)), ValueError, r"accuracy: .*(no|0) samples",
     "SimpleConvNet.accuracy (LayeredNet's) on 0 samples raises ZeroDivisionError"),
    ("TwoLayerNet.accuracy/count", lambda: N.TwoLayerNet(3, 4, 3).accuracy(X, T[:3]), ValueError,
     r"accuracy: .*\b4\b.*\b3\b", "accuracy(x of 4 rows, 3 labels): NumPy's 'operands could not "
     "be broadcast together with shapes (4,) (3,)'"),
    ("TwoLayerNet.accuracy/str labels", lambda: N.TwoLayerNet(3, 4, 3).accuracy(
        X, np.array(list("abcd"))), TypeError, r"accuracy: t .*<U1",
     "accuracy(x, string labels) returns 0.0 silently"),
    ("TwoLayerNet.accuracy/x list", lambda: N.TwoLayerNet(3, 4, 3).accuracy(X.tolist(), T),
     TypeError, r"accuracy: x .*list", "accuracy(list, t) raises AttributeError: 'list' object "
     "has no attribute 'shape'"),
    ("SimpleConvNet.accuracy/batch_size 0", lambda: small_convnet().accuracy(
        np.ones((3, 1, 8, 8)), np.zeros(3, int), batch_size=0), ValueError, r"batch_size.*0",
     "LayeredNet.accuracy(..., batch_size=0): 'range() arg 3 must not be zero'"),
    ("SimpleConvNet.accuracy/batch_size<0", lambda: small_convnet().accuracy(
        np.ones((3, 1, 8, 8)), np.zeros(3, int), batch_size=-1), ValueError, r"batch_size.*-1",
     "LayeredNet.accuracy(..., batch_size=-1) returns 0.0 silently"),
    ("Momentum.update/new key", lambda: update_twice(O.Momentum(), {"V": np.ones(3)}), ValueError,
     r"'V'", "a second update with a parameter the state lacks raises KeyError: 'V'"),
    ("RMSprop/decay_rate 1.5", lambda: O.RMSprop(decay_rate=1.5).update(one(), one()),
     ValueError, r"decay_rate.*1\.5", "RMSprop(decay_rate=1.5) makes the params NaN (cython "
     "silently, numpy with a RuntimeWarning from sqrt)"),
    ("numerical_gradient/f not scalar", lambda: G.numerical_gradient(lambda x: "a", np.ones(3)),
     TypeError, r"numerical_gradient: f.*str", "f returning a str: \"unsupported operand type(s) "
     "for -: 'str' and 'str'\""),
    ("numerical_gradient_1d/x list", lambda: G.numerical_gradient_1d(sum, [1.0, 2.0]), TypeError,
     r"numerical_gradient_1d: x .*list", "numerical_gradient_1d(f, list): AttributeError 'size'"),
    ("numerical_gradient_1d/x int", lambda: G.numerical_gradient_1d(sum, np.ones(3, int)),
     TypeError, r"numerical_gradient_1d: x .*int64",
     "numerical_gradient_1d(sum, np.ones(3, int)) returns [5000 5000 5000] instead of [1 1 1]"),
    ("to_device/None", lambda: fastnet.to_device(None), TypeError, r"to_device.*NoneType",
     "fastnet.to_device(None) returns a 0-d object array on the CPU backends"),
]


@pytest.mark.parametrize("backend_name, name, call, error, match", rows(
    CASES + [row[:4] for row in FOUND_AND_FIXED]))
def test_bad_input_is_refused_clearly(backend_name, name, call, error, match):
    assert_refused(backend_name, call, error, match)
