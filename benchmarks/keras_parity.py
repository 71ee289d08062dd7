"""Does fastnet.keras train like Keras 3? Same weights, same batches, compare the logs.

    python benchmarks/keras_parity.py --keras-python .venv-keras/bin/python

Small models, one per optimizer / loss family (RMSprop + categorical
cross-entropy, Adam + sparse categorical, SGD with Nesterov momentum +
binary cross-entropy, Adagrad + mse with an mae metric, an l2 penalty, a
Conv2D / MaxPooling2D / Flatten convnet on channels-last images (one with
pooling strides that differ per axis), batch norm, average pooling, the
IMDB Embedding model with an AUC metric, a functional siamese model whose
encoder is one shared layer, a two-output model with loss_weights, a
subclassed Model), start from
the same weights in fastnet.keras and in Keras 3 (PyTorch backend, its own
venv), train 3 epochs with shuffle=False and validation_split=0.25, then
evaluate. Every History value and evaluate() result is compared; the script
fails when one differs by more than --rtol (float32 rounding gives ~1e-6).
The weights are drawn from a fixed NumPy generator in the shapes each model
reports, so a weight layout that differed from Keras' would fail set_weights.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np


def _dense(layers, regularizers, units, activation, penalty=None):
    reg = regularizers.l2(penalty) if penalty else None
    return [layers.Dense(8, activation="relu", input_shape=(5,), kernel_regularizer=reg),
            layers.Dense(units, activation=activation)]


def _convnet(layers, regularizers, models):
    return [layers.Conv2D(4, (3, 3), activation="relu", input_shape=(7, 7, 2)),
            layers.MaxPooling2D((2, 2)), layers.Flatten(),
            layers.Dense(3, activation="softmax")]


def _convnet_pool_strides(layers, regularizers, models):
    # Pooling strides that differ per axis: strided views, not the engine's kernel.
    return [layers.Conv2D(4, (3, 3), activation="relu", input_shape=(7, 7, 2)),
            layers.MaxPooling2D((2, 3), strides=(1, 2), padding="same"), layers.Flatten(),
            layers.Dense(3, activation="softmax")]


def _batchnorm(layers, regularizers, models):
    return [layers.Dense(8, activation="relu", input_shape=(5,)), layers.BatchNormalization(),
            layers.Dense(3, activation="softmax")]


def _convnet_batchnorm(layers, regularizers, models):
    # 'same' with an even split: where Keras' torch backend averages like its others.
    return [layers.Conv2D(4, (3, 3), activation="relu", input_shape=(7, 7, 2)),
            layers.BatchNormalization(), layers.AveragePooling2D((3, 3), (1, 1), "same"),
            layers.Flatten(), layers.Dense(3, activation="softmax")]


def _imdb(layers, regularizers, models):
    # The IMDB tutorial's Embedding -> GlobalAveragePooling1D -> Dense -> Dense, small.
    return [layers.Embedding(40, 4, input_shape=(9,)), layers.GlobalAveragePooling1D(),
            layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid")]


def _siamese(layers, regularizers, models):
    # A shared layer (the functional API): one encoder called on both inputs.
    left, right = layers.Input(shape=(5,)), layers.Input(shape=(5,))
    encoder = layers.Dense(8, activation="relu", kernel_regularizer=regularizers.l2(0.01))
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return models.Model([left, right], layers.Dense(1, activation="sigmoid")(joined))


def _two_outputs(layers, regularizers, models):
    # Two heads weighed by compile(loss_weights=...): loss = 0.3·classes + 2·value.
    inputs = layers.Input(shape=(5,))
    trunk = layers.Dense(8, activation="relu")(inputs)
    classes = layers.Dense(3, activation="softmax", name="classes")(trunk)
    return models.Model(inputs, [classes, layers.Dense(1, name="value")(trunk)])


def _subclassed(layers, regularizers, models):
    # A subclassed Model as Keras' guides write one: layers in __init__, a call()
    # with a training branch; the output layer is set first (weights in that order).
    class Classifier(models.Model):
        def __init__(self):
            super().__init__()
            self.out = layers.Dense(3, activation="softmax")
            self.hidden = layers.Dense(8, activation="relu")
            self.extra = layers.Activation("tanh")

        def call(self, inputs, training=False):
            x = self.hidden(inputs)
            return self.out(self.extra(x) if training else x)

    model = Classifier()
    model(np.zeros((1, 5), dtype="float32"))  # builds the layers, in Keras as in fastnet
    return model


CASES = {
    # name: (build the layers, (optimizer, its arguments), loss, targets, metrics)
    "rmsprop_cce": (lambda L, R, M: _dense(L, R, 3, "softmax"), ("RMSprop", {}),
                    "categorical_crossentropy", "onehot", ["accuracy"]),
    "adam_scce": (lambda L, R, M: _dense(L, R, 3, "softmax"), ("Adam", {}),
                  "sparse_categorical_crossentropy", "labels", ["acc"]),
    "nesterov_bce": (lambda L, R, M: _dense(L, R, 1, "sigmoid"),
                     ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
                     "binary_crossentropy", "binary", ["accuracy"]),
    "adagrad_mse": (lambda L, R, M: _dense(L, R, 1, None), ("Adagrad", {"learning_rate": 0.05}),
                    "mse", "real", ["mae"]),
    "l2_rmsprop": (lambda L, R, M: _dense(L, R, 3, "softmax", penalty=0.01), ("RMSprop", {}),
                   "categorical_crossentropy", "onehot", ["accuracy"]),
    "conv_adam": (_convnet, ("Adam", {}), "sparse_categorical_crossentropy", "labels",
                  ["accuracy"]),
    "conv_pool_strides": (_convnet_pool_strides, ("RMSprop", {}), "categorical_crossentropy",
                          "onehot", ["accuracy"]),
    "batchnorm_adam": (_batchnorm, ("Adam", {}), "sparse_categorical_crossentropy", "labels",
                       ["accuracy"]),
    "conv_bn_avgpool": (_convnet_batchnorm, ("RMSprop", {}), "categorical_crossentropy",
                        "onehot", ["accuracy", "auc"]),
    "imdb_rmsprop": (_imdb, ("RMSprop", {}), "binary_crossentropy", "ids_binary",
                     ["accuracy", "auc"]),
    "siamese_shared": (_siamese, ("Adam", {}), "binary_crossentropy", "pairs_binary",
                       ["accuracy"]),
    "subclassed": (_subclassed, ("Adam", {}), "sparse_categorical_crossentropy", "labels",
                   ["accuracy"]),
    "loss_weights": (_two_outputs, ("RMSprop", {}),
                     ["sparse_categorical_crossentropy", "mse"], ["labels", "real"],
                     [["accuracy"], ["mae"]], {"loss_weights": {"classes": 0.3, "value": 2.0}}),
}


def _start_weights(model):
    """Weights from a fixed generator; a moving variance stays positive."""
    draw = np.random.default_rng(5)
    weights = []
    for layer in model.layers:
        values = layer.get_weights()
        for i, w in enumerate(values):
            w = draw.standard_normal(w.shape) * 0.2
            if type(layer).__name__ == "BatchNormalization" and i == len(values) - 1:
                w = np.abs(w) + 0.5
            weights.append(w.astype("float32"))
    return weights


def child(impl):
    if impl == "keras":
        from keras import layers, models, optimizers, regularizers
    else:
        from fastnet.keras import layers, models, optimizers, regularizers
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 5)).astype("float32")
    images = rng.standard_normal((96, 7, 7, 2)).astype("float32")
    labels = rng.integers(0, 3, 96)
    ids = rng.integers(0, 40, (96, 9))
    targets = {"labels": labels, "onehot": np.eye(3, dtype="float32")[labels],
               "ids_binary": (ids[:, 0] < 20).astype("float32"),
               "binary": (x[:, 0] > 0).astype("float32"),
               "pairs_binary": (abs(x[:, 0] - x[::-1, 0]) < 0.7).astype("float32"),
               "real": (x @ rng.standard_normal(5)).astype("float32")}
    out = {}
    for name, (build, (opt, kwargs), loss, target, metrics, *extras) in CASES.items():
        model = build(layers, regularizers, models)
        model = models.Sequential(model) if isinstance(model, list) else model
        # Small enough that no probability saturates: there Keras clips at 1e-7
        # and fastnet does not (see fastnet/keras/losses.py), a documented difference.
        model.set_weights(_start_weights(model))
        model.compile(optimizer=getattr(optimizers, opt)(**kwargs), loss=loss, metrics=metrics,
                      **(extras[0] if extras else {}))
        data = (images if name.startswith("conv") else ids if name.startswith("imdb") else
                [x, x[::-1].copy()] if name.startswith("siamese") else x)
        y = [targets[t] for t in target] if isinstance(target, list) else targets[target]
        h = model.fit(data, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                      validation_split=0.25)
        out[name] = {k: [float(v) for v in vals] for k, vals in h.history.items()}
        out[name]["evaluate"] = [float(v) for v in model.evaluate(data, y, verbose=0)]
    print(json.dumps(out))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", default=".venv-keras/bin/python")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--child", choices=["fastnet", "keras"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    env = dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1")
    logs = {}
    for impl, python in (("fastnet", sys.executable), ("keras", args.keras_python)):
        run = subprocess.run([python, "-W", "ignore", os.path.abspath(__file__), "--child",
                              impl], env=env, capture_output=True, text=True)
        if run.returncode:
            sys.exit(f"{impl} failed:\n{run.stderr[-3000:]}")
        logs[impl] = json.loads(run.stdout.strip().splitlines()[-1])
    worst = 0.0
    for name in CASES:
        for key, keras_values in logs["keras"][name].items():
            ours = logs["fastnet"][name][key]
            diff = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(ours, keras_values))
            worst = max(worst, diff)
            pairs = "  ".join(f"{a:.5f}/{b:.5f}" for a, b in zip(ours, keras_values))
            print(f"{name:13} {key:14} {pairs}   rel diff {diff:.1e}")
    print(f"largest relative difference fastnet/Keras: {worst:.1e} (allowed {args.rtol:g})")
    return 0 if worst <= args.rtol else 1


if __name__ == "__main__":
    sys.exit(main())
