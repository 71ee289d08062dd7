"""The bad-input catalogue, front ends: the book's names (fastnet.scratch) and fastnet.keras.

Rows as in test_bad_input_catalogue.py (which says what a row is): the
wrappers of fastnet.scratch that differ from the engine (functions keeping
NumPy's dtypes, layers keeping the book's contracts, im2col / col2im, the
Trainer's arguments), then fastnet.keras: layer constructors, compile / fit /
evaluate / predict, optimizers, to_categorical, losses and the other
registries. Each row runs on the "numpy" and "cython" backends.
"""

import contextlib
import io

import numpy as np
import pytest
from _bad_input import assert_refused, rows

from fastnet.keras import callbacks, config, initializers, losses, regularizers, utils
from fastnet.keras import layers as KL
from fastnet.keras import models as KM
from fastnet.keras import optimizers as KO
from fastnet.keras.data_adapters import DataFormError
from fastnet.keras.datasets import boston_housing
from fastnet.scratch.common import functions as SF
from fastnet.scratch.common import layers as SL
from fastnet.scratch.common import multi_layer_net as SM
from fastnet.scratch.common import multi_layer_net_extend as SME
from fastnet.scratch.common import trainer as ST
from fastnet.scratch.common import util as SU
from fastnet.scratch.dataset.mnist import load_mnist as book_load_mnist

X = np.random.default_rng(0).standard_normal((4, 3))
T = np.array([0, 2, 1, 2])
IMG = np.ones((2, 3, 5, 5))
FILTERS = np.ones((2, 3, 3, 3))
KX = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
KY = np.array([0, 1, 2, 0, 1, 2])


def after_forward(layer, *args):
    layer.forward(*args)
    return layer


def trainer(**kw):
    args = dict(network=SM.MultiLayerNet(3, [4], 3), x_train=np.ones((10, 3)),
                t_train=np.zeros(10, int), x_test=np.ones((4, 3)), t_test=np.zeros(4, int),
                verbose=False)
    return ST.Trainer(**{**args, **kw})


def train(**kw):
    with contextlib.redirect_stdout(io.StringIO()):
        trainer(**kw).train()


def keras_model(loss="sparse_categorical_crossentropy", last="softmax", compile=True):
    model = KM.Sequential([KL.Dense(5, activation="relu", input_shape=(4,)),
                           KL.Dense(3, activation=last)])
    if compile:
        model.compile("sgd", loss)
    return model


def fit(model=None, **kw):
    return (model or keras_model()).fit(**{"x": KX, "y": KY, "verbose": 0, **kw})


def evaluate(**kw):
    return keras_model().evaluate(**{"x": KX, "y": KY, "verbose": 0, **kw})


def predict(**kw):
    return keras_model().predict(**{"x": KX, "verbose": 0, **kw})


def apply_twice(optimizer, first, second):
    """Apply to a variable of `first` elements, then to one of `second` elements."""
    for n in (first, second):
        optimizer.apply([np.ones(n)], [np.ones(n)])


def read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


CASES = [
    # -- fastnet.scratch: common.functions (NumPy's result dtypes) and common.layers
    ("functions.sigmoid/str", lambda: SF.sigmoid("a"), TypeError, r"sigmoid: x .*got str"),
    ("functions.relu/object", lambda: SF.relu(np.array([1, None])), TypeError,
     r"relu: x must be real numbers, got dtype object"),
    ("functions.relu_grad/None", lambda: SF.relu_grad(None), TypeError,
     r"relu_grad: x must be an array of numbers, got NoneType"),
    ("functions.sigmoid_grad/complex", lambda: SF.sigmoid_grad(np.array([1j])), TypeError,
     r"x must be real numbers, got dtype complex128"),
    ("layers.Affine.forward/shape", lambda: SL.Affine(np.ones((3, 5)), 0).forward(np.ones((4, 2))),
     ValueError, r"cannot multiply op\(a\) \(4, 2\) by op\(b\) \(3, 5\)"),
    ("layers.Relu.backward/transposed", lambda: after_forward(SL.Relu(), np.ones((2, 3)).T)
     .backward(np.ones((2, 3))), ValueError, r"y has shape \(3, 2\) but dout has shape \(2, 3\)"),
    ("layers.Sigmoid.forward/str", lambda: SL.Sigmoid().forward("x"), TypeError,
     r"x must be an array of numbers, got str"),
    ("layers.SoftmaxWithLoss/label>=C", lambda: SL.SoftmaxWithLoss().forward(X, [0, 1, 2, 3]),
     ValueError, r"labels must lie in \[0, 3\)"),
    ("layers.SoftmaxWithLoss/NaN x, bad label", lambda: SL.SoftmaxWithLoss().forward(
        X * np.nan, [0, 1, 2, 3]), ValueError, r"labels must lie in \[0, 3\)"),
    ("layers.SoftmaxWithLoss/int one-hot width", lambda: SL.SoftmaxWithLoss().forward(
        X, np.eye(4, 2, dtype=int)), TypeError, r"one-hot array of shape \(4, 3\), got .*\(4, 2\)"),
    ("layers.Convolution.forward/3-D", lambda: SL.Convolution(FILTERS, 0).forward(IMG[0]),
     ValueError, r"x must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"),
    ("layers.Convolution/W 3-D", lambda: SL.Convolution(FILTERS[0], 0).forward(IMG), ValueError,
     r"W must be 4-D"),
    ("layers.Convolution.forward/complex", lambda: SL.Convolution(FILTERS, 0).forward(
        IMG.astype(complex)), TypeError, r"x must be float32 or float64, got dtype complex128"),
    # -- fastnet.scratch: common.util, the networks, the Trainer, dataset.mnist
    ("util.im2col/None", lambda: SU.im2col(None, 3, 3), ValueError,
     r"im2col: x must be 4-D \(N, C, H, W\), got shape \(\)"),
    ("util.im2col/filter_h None", lambda: SU.im2col(IMG, None, 3), ValueError,
     r"filter_h must be an integer >= 1, got None"),
    ("util.im2col/pad 0.5", lambda: SU.im2col(IMG, 3, 3, 1, 0.5), ValueError,
     r"pad must be an integer >= 0, got 0.5"),
    ("util.col2im/input_shape<0", lambda: SU.col2im(np.ones((18, 27)), (2, 3, -5, 5), 3, 3),
     ValueError, r"input_shape must be \(N, C, H, W\), got \(2, 3, -5, 5\)"),
    ("util.col2im/col None", lambda: SU.col2im(None, (2, 3, 5, 5), 3, 3), ValueError,
     r"col2im: col must be 2-D, got shape \(\)"),
    ("multi_layer_net.MultiLayerNet/activation", lambda: SM.MultiLayerNet(3, [4], 3, "gelu"),
     ValueError, r"activation must be one of .*got 'gelu'"),
    ("multi_layer_net_extend/dropout_ration", lambda: SME.MultiLayerNetExtend(
        3, [4], 3, use_dropout=True, dropout_ration=1.0).loss(X, T), ValueError,
     r"dropout_ratio must lie in \[0, 1\), got 1.0"),
    ("Trainer/optimizer", lambda: trainer(optimizer="adamw"), ValueError,
     r"optimizer must be one of \[.*'sgd'\], got 'adamw'"),
    ("Trainer/optimizer_param key", lambda: trainer(optimizer_param={"learning_rate": 0.1}),
     TypeError, r"unexpected keyword argument 'learning_rate'"),
    ("Trainer/lr NaN", lambda: train(optimizer_param={"lr": np.nan}), ValueError,
     r"lr must be finite, got nan"),
    ("Trainer/t_train label>=C", lambda: train(t_train=np.full(10, 7)), ValueError,
     r"labels must lie in \[0, 3\)"),
    ("Trainer/x_test features", lambda: train(x_test=np.ones((4, 5))), ValueError,
     r"cannot multiply op\(a\) \(4, 5\) by op\(b\) \(3, 4\)"),
    ("dataset.mnist.load_mnist/source", lambda: book_load_mnist(source="internet"), ValueError,
     r"source must be one of \('auto', 'full', 'bundled'\), got 'internet'"),
    # -- fastnet.keras: layer constructors and model building
    ("Dense/units 0", lambda: KL.Dense(0), ValueError, r"Dense: units must be a positive integer"),
    ("Dense/units float", lambda: KL.Dense(1.5), TypeError, r"units must be an integer, got 1.5"),
    ("Dense/activation", lambda: KL.Dense(3, "gelu"), ValueError, r"unknown activation 'gelu'"),
    ("Dense/initializer", lambda: KL.Dense(3, kernel_initializer="foo"), ValueError,
     r"unknown initializer 'foo'"),
    ("Dense/regularizer", lambda: KL.Dense(3, kernel_regularizer="l3"), ValueError,
     r"unknown regularizer 'l3'"),
    ("Dense/input_shape int", lambda: KL.Dense(3, input_shape=784), TypeError,
     r"input_shape must be a tuple of sizes, e.g. \(784,\), got 784"),
    ("Dense/input_shape None", lambda: KL.Dense(3, input_shape=(None,)), ValueError,
     r"input_shape must give every size, got \(None,\)"),
    ("Dense/input_dim 0", lambda: KL.Dense(3, input_dim=0), ValueError,
     r"input_dim must be a positive integer, got 0"),
    ("Dense/keyword", lambda: KL.Dense(3, foo=1), TypeError, r"unexpected keyword .*\['foo'\]"),
    ("Dense/name", lambda: KL.Dense(3, name=5), TypeError, r"name must be a string, got 5"),
    ("Dense/trainable", lambda: KL.Dense(3, trainable="yes"), TypeError,
     r"trainable must be True or False, got 'yes'"),
    ("Dense/after an image", lambda: KM.Sequential([KL.Conv2D(2, 3, input_shape=(5, 5, 1)),
                                                    KL.Dense(3)]), ValueError,
     r"expects inputs \(batch, features\), got \(None, 3, 3, 2\); put a Flatten"),
    ("Conv2D/filters 0", lambda: KL.Conv2D(0, 3), ValueError, r"filters must be a positive"),
    ("Conv2D/kernel_size triple", lambda: KL.Conv2D(8, (3, 3, 3)), ValueError,
     r"kernel_size must be an int or a pair of ints, got \(3, 3, 3\)"),
    ("Conv2D/strides 0", lambda: KL.Conv2D(8, 3, strides=0), ValueError,
     r"strides must be a positive integer, got 0"),
    ("Conv2D/padding", lambda: KL.Conv2D(8, 3, padding="full"), ValueError,
     r"padding must be 'valid' or 'same', got 'full'"),
    ("Conv2D/kernel too big", lambda: KM.Sequential([KL.Conv2D(2, 3, input_shape=(2, 2, 1))]),
     ValueError, r"kernel_size \(3, 3\) is larger than the input \(None, 2, 2, 1\)"),
    ("Conv2D/input 2-D", lambda: KM.Sequential([KL.Conv2D(2, 3, input_shape=(5, 5))]),
     ValueError, r"expects inputs \(batch, height, width, channels\), got \(None, 5, 5\)"),
    ("MaxPooling2D/pool 0", lambda: KL.MaxPooling2D(0), ValueError, r"pool_size must be a pos"),
    ("MaxPooling2D/pool too big",
     lambda: KM.Sequential([KL.MaxPooling2D(5, input_shape=(4, 4, 1))]),
     ValueError, r"pool_size \(5, 5\) is larger than the input \(None, 4, 4, 1\)"),
    ("MaxPooling2D/padding None", lambda: KL.MaxPooling2D(2, padding=None), ValueError,
     r"padding must be 'valid' or 'same', got None"),
    ("Dropout/rate 1", lambda: KL.Dropout(1.0), ValueError, r"rate must be in \[0.0, 1.0\)"),
    ("Dropout/rate str", lambda: KL.Dropout("0.5"), TypeError, r"rate must be a number, got '0.5'"),
    ("Dropout/seed<0", lambda: KL.Dropout(0.5, seed=-1), ValueError, r"seed must be .* got -1"),
    ("Activation/name", lambda: KL.Activation("gelu"), ValueError, r"unknown activation 'gelu'"),
    ("Input/no shape", lambda: KL.Input(), ValueError, r"Input needs shape="),
    ("Input/batch_size 0", lambda: KL.Input((3,), batch_size=0), ValueError,
     r"batch_size must be a positive integer, got 0"),
    ("Input/not first", lambda: KM.Sequential([KL.Dense(3, input_shape=(4,)), KL.Input((3,))]),
     ValueError, r"an Input must come before every other layer"),
    ("Sequential/layers str", lambda: KM.Sequential("dense"), TypeError,
     r"layers must be a list of layers, got 'dense'"),
    ("Sequential.add/int", lambda: KM.Sequential().add(3), TypeError, r"expects a layer, got int"),
    ("Sequential.build/shape unknown", lambda: KM.Sequential([KL.Dense(3)]).build(), ValueError,
     r"input shape is unknown"),
    ("Sequential.build/no layers", lambda: KM.Sequential().build((None, 3)), ValueError,
     r"the model has no layers"),
    ("Sequential.set_weights/count", lambda: keras_model().set_weights([np.ones(1)]),
     ValueError, r"the model has 4 weights, got 1"),
    ("Sequential.set_weights/shape", lambda: keras_model().set_weights(
        [np.ones((4, 4)), np.ones(5), np.ones((5, 3)), np.ones(3)]), ValueError,
     r"weight of shape \(4, 5\) cannot take shape \(4, 4\)"),
    # -- fastnet.keras: compile, fit, evaluate, predict
    ("compile/loss None", lambda: keras_model(compile=False).compile("sgd"), ValueError,
     r"compile: a loss is required"),
    ("compile/loss", lambda: keras_model(compile=False).compile("sgd", "hinge"), ValueError,
     r"unknown loss 'hinge'"),
    ("compile/optimizer", lambda: keras_model(compile=False).compile("adamw", "mse"), ValueError,
     r"unknown optimizer 'adamw'"),
    ("compile/metrics int", lambda: keras_model(compile=False).compile("sgd", "mse", metrics=5),
     TypeError, r"metrics must be a list of metric names, .* got 5"),
    ("compile/metric", lambda: keras_model(compile=False).compile("sgd", "mse", metrics=["f1"]),
     ValueError, r"unknown metric 'f1'"),
    ("fit/batch_size 0", lambda: fit(batch_size=0), ValueError, r"batch_size must be a positive"),
    ("fit/batch_size float", lambda: fit(batch_size=2.5), TypeError,
     r"batch_size must be an integer, got 2.5"),
    ("fit/epochs<0", lambda: fit(epochs=-1), ValueError, r"epochs must be an integer >= 0, got -1"),
    ("fit/steps_per_epoch 0", lambda: fit(steps_per_epoch=0), ValueError,
     r"steps_per_epoch must be a positive integer, got 0"),
    ("fit/validation_split 1", lambda: fit(validation_split=1.0), ValueError,
     r"validation_split must be in \[0.0, 1.0\), got 1.0"),
    ("fit/validation_data 1-tuple", lambda: fit(validation_data=(KX,)), ValueError,
     r"validation_data must be \(x_val, y_val\) .*tuple of length 1"),
    ("fit/validation_data empty", lambda: fit(validation_data=(KX[:0], KY[:0])), ValueError,
     r"validation_data holds no samples"),
    ("fit/validation label>=C", lambda: fit(validation_data=(KX, KY + 5)), ValueError,
     r"labels must lie in \[0, 3\) .*from 5 to 7"),
    ("fit/validation_batch_size 0", lambda: fit(validation_split=0.5, validation_batch_size=0),
     ValueError, r"validation_batch_size must be a positive integer, got 0"),
    ("fit/y None", lambda: fit(y=None), ValueError, r"fit needs targets y"),
    ("fit/x None", lambda: fit(x=None), TypeError, r"no inputs: pass the input data x"),
    ("fit/x features", lambda: fit(x=np.ones((6, 5))), ValueError,
     r"expects inputs of shape \(None, 4\), got data of shape \(6, 5\)"),
    ("fit/x and y rows", lambda: fit(y=KY[:4]), ValueError, r"6 input samples but 4 targets"),
    ("fit/x complex", lambda: fit(x=KX.astype(complex)), DataFormError,
     r"inputs must be numbers, got an array of dtype complex128"),
    ("fit/x object", lambda: fit(x=np.full((6, 4), None)), DataFormError, r"got an array of dtype "
     r"object"),
    ("fit/x scalar", lambda: fit(x=1.0), ValueError, r"inputs must have a batch axis"),
    ("fit/x NaN", lambda: fit(x=KX * np.nan), ValueError, r"the input contains NaN or inf"),
    ("fit/label>=C", lambda: fit(y=KY + 3), ValueError, r"labels must lie in \[0, 3\)"),
    ("fit/label float", lambda: fit(y=KY + 0.5), ValueError, r"labels must be whole numbers"),
    ("fit/labels str", lambda: fit(y=np.array(list("abcdef"))), TypeError,
     r"targets must be numbers, got dtype <U1"),
    ("fit/sparse labels 2-D", lambda: fit(y=np.ones((6, 3))), ValueError,
     r"expects integer class labels of shape \(N,\), got shape \(6, 3\)"),
    ("fit/categorical labels", lambda: fit(keras_model("categorical_crossentropy")), ValueError,
     r"expects one-hot targets of shape \(N, 3\), got integer labels of shape \(6,\)"),
    ("fit/one-hot width", lambda: fit(keras_model("categorical_crossentropy"), y=np.eye(4)[KY]),
     ValueError, r"targets of shape \(6, 4\) do not match the model's output \(None, 3\)"),
    ("fit/MAE NaN", lambda: fit(keras_model("mae", None), x=KX * np.nan, y=np.ones((6, 3))),
     ValueError, r"mean_absolute_error: the input contains NaN or inf"),
    ("fit/BCE NaN target", lambda: fit(keras_model("binary_crossentropy", "sigmoid"),
                                       y=np.full((6, 3), np.nan)), ValueError, r"NaN or inf"),
    ("fit/verbose", lambda: fit(verbose=3), ValueError, r"verbose must be 'auto', 0, 1 or 2"),
    ("fit/callbacks", lambda: fit(callbacks=[5]), TypeError, r"callbacks must be a list of "),
    ("fit/keyword", lambda: fit(foo=1), TypeError, r"fit: unexpected keyword .*\['foo'\]"),
    ("evaluate/batch_size 0", lambda: evaluate(batch_size=0), ValueError, r"batch_size must be"),
    ("evaluate/empty", lambda: evaluate(x=KX[:0], y=KY[:0]), ValueError, r"no samples"),
    ("evaluate/verbose", lambda: evaluate(verbose="yes"), ValueError, r"verbose must be 'auto'"),
    ("predict/batch_size<0", lambda: predict(batch_size=-1), ValueError,
     r"batch_size must be a positive integer, got -1"),
    ("predict/x None", lambda: predict(x=None), TypeError, r"no inputs"),
    # (2, 4, 1) is accepted since issue 14: Keras drops a trailing axis of size 1.
    ("predict/x 3-D", lambda: predict(x=np.ones((2, 4, 2))), ValueError,
     r"expects inputs of shape \(None, 4\), got data of shape \(2, 4, 2\)"),
    ("predict/x NaN", lambda: predict(x=np.full((2, 4), np.nan)), ValueError, r"NaN or inf"),
    ("Sequential.__call__/features", lambda: keras_model()(np.ones((2, 7))), ValueError,
     r"expects inputs of shape \(None, 4\), got data of shape \(2, 7\)"),
    # -- fastnet.keras: optimizers (variables are updated in place)
    ("Adam/learning_rate NaN", lambda: KO.Adam(np.nan), ValueError, r"learning_rate must be a fin"),
    ("SGD/learning_rate<0", lambda: KO.SGD(-0.1), ValueError, r"learning_rate .*>= 0.0, got -0.1"),
    ("SGD/schedule", lambda: KO.SGD(lambda step: 0.1), TypeError, r"schedules are not supported"),
    ("SGD/momentum 1.5", lambda: KO.SGD(momentum=1.5), ValueError, r"momentum must be in \[0.0"),
    ("RMSprop/rho<0", lambda: KO.RMSprop(rho=-0.1), ValueError, r"rho must be in \[0.0, 1.0\]"),
    ("Adam/beta_1 1", lambda: KO.Adam(beta_1=1.0), ValueError, r"beta_1 must be in \[0.0, 1.0\)"),
    ("Adam/beta_2 str", lambda: KO.Adam(beta_2="0.9"), TypeError, r"beta_2 must be a number"),
    ("Adagrad/epsilon 0", lambda: KO.Adagrad(epsilon=0), ValueError, r"epsilon must be .*> 0.0"),
    ("Adagrad/initial<0", lambda: KO.Adagrad(initial_accumulator_value=-1), ValueError,
     r"initial_accumulator_value must be a finite number >= 0.0, got -1.0"),
    ("Optimizer/keyword", lambda: KO.SGD(foo=1), TypeError, r"unexpected keyword .*\['foo'\]"),
    ("Optimizer.learning_rate/inf", lambda: setattr(KO.SGD(), "learning_rate", np.inf),
     ValueError, r"learning_rate must be a finite number >= 0.0, got inf"),
    ("Optimizer.apply/list variable", lambda: KO.SGD().apply([np.ones(3)], [[1.0, 2.0, 3.0]]),
     TypeError, r"trainable variable 0 must be a float array .*got list"),
    ("Optimizer.apply/grads array", lambda: KO.SGD().apply(np.ones(3), np.ones(3)), TypeError,
     r"grads must be a list of arrays, got ndarray"),
    ("Optimizer.apply/count", lambda: KO.SGD().apply([np.ones(3)], [np.ones(3)] * 2), ValueError,
     r"1 gradients for 2 trainable variables"),
    ("Optimizer.apply/int variable", lambda: KO.SGD().apply([np.ones(3)], [np.ones(3, int)]),
     TypeError, r"must be a float array .*got ndarray of dtype int64"),
    ("Optimizer.apply/read-only", lambda: KO.SGD().apply([np.ones(3)], [read_only(np.ones(3))]),
     ValueError, r"param is read-only"),
    ("Optimizer.apply/big-endian", lambda: KO.SGD().apply([np.ones(3)], [np.ones(3, ">f8")]),
     TypeError, r"param has non-native byte order"),
    ("Optimizer.apply/grad None", lambda: KO.SGD().apply([None], [np.ones(3)]), TypeError,
     r"grad must be an array of numbers, got NoneType"),
    ("Optimizer.apply/new shapes", lambda: apply_twice(KO.Adam(), 3, 4), ValueError,
     r"first applied to variables of shapes \[\(3,\)\] .*got shapes \[\(4,\)\]"),
    ("Optimizer.apply_gradients/pairs", lambda: KO.SGD().apply_gradients([np.ones(3)]),
     TypeError, r"apply_gradients expects \(grad, variable\) pairs"),
    # -- fastnet.keras: to_categorical, losses, registries, callbacks, config, data
    ("to_categorical/float", lambda: utils.to_categorical([1.5]), ValueError, r"whole numbers"),
    ("to_categorical/label<0", lambda: utils.to_categorical([-1]), ValueError, r">= 0, got -1"),
    ("to_categorical/label>=num_classes", lambda: utils.to_categorical([3], 2), ValueError,
     r"label 3 is out of range for num_classes=2"),
    ("to_categorical/str", lambda: utils.to_categorical(["a"]), TypeError, r"integers, got dtype"),
    ("to_categorical/num_classes 0", lambda: utils.to_categorical([0], 0), ValueError,
     r"num_classes must be a positive integer, got 0"),
    ("to_categorical/NaN", lambda: utils.to_categorical([np.nan]), ValueError, r"whole numbers"),
    ("losses.categorical_crossentropy/shape", lambda: losses.categorical_crossentropy(
        np.ones((2, 3)), np.ones((2, 4))), ValueError, r"targets of shape \(2, 3\) do not match"),
    ("losses.mean_squared_error/NaN", lambda: losses.mean_squared_error([[np.nan]], [[1.0]]),
     ValueError, r"mean_squared_error: y or t contains NaN or inf"),
    ("losses.get/name", lambda: losses.get("hinge"), ValueError, r"unknown loss 'hinge'"),
    ("initializers.get/name", lambda: initializers.get("orthogonal"), ValueError,
     r"unknown initializer 'orthogonal'"),
    ("initializers.VarianceScaling/mode", lambda: initializers.VarianceScaling(mode="fan_max"),
     ValueError, r"mode must be 'fan_in', 'fan_out' or 'fan_avg', got 'fan_max'"),
    ("initializers.RandomNormal/stddev<0", lambda: initializers.RandomNormal(stddev=-1.0),
     ValueError, r"stddev must be a finite number >= 0.0, got -1.0"),
    ("initializers.Constant/str", lambda: initializers.Constant("a"), TypeError,
     r"value must be a number, got 'a'"),
    ("regularizers.l2/<0", lambda: regularizers.l2(-0.1), ValueError, r"l2 must be .* got -0.1"),
    ("regularizers.l1/NaN", lambda: regularizers.l1(np.nan), ValueError, r"l1 must be .*got nan"),
    ("callbacks.EarlyStopping/mode", lambda: callbacks.EarlyStopping(mode="up"), ValueError,
     r"mode must be 'auto', 'min' or 'max', got 'up'"),
    ("callbacks.EarlyStopping/patience<0", lambda: callbacks.EarlyStopping(patience=-1),
     ValueError, r"patience must be an integer >= 0, got -1"),
    ("callbacks.ModelCheckpoint/None", lambda: callbacks.ModelCheckpoint(None), TypeError,
     r"filepath must be a path, got None"),
    ("config.set_floatx/float16", lambda: config.set_floatx("float16"), ValueError,
     r"floatx must be 'float32' or 'float64', got 'float16'"),
    ("boston_housing.load_data/test_split 1", lambda: boston_housing.load_data(test_split=1.0),
     ValueError, r"test_split must be in \[0, 1\), got 1.0"),
]


@pytest.mark.parametrize("backend_name, name, call, error, match", rows(CASES))
def test_bad_input_is_refused_clearly(backend_name, name, call, error, match):
    assert_refused(backend_name, call, error, match)
