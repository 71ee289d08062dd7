"""Does fastnet.keras train like Keras 3? Same weights, same batches, compare the logs.

    python benchmarks/keras_parity.py --keras-python .venv-keras/bin/python

Four small models (one per optimizer and loss family: RMSprop + categorical
cross-entropy, Adam + sparse categorical, SGD with Nesterov momentum + binary
cross-entropy, Adagrad + mse with an mae metric) start from the same weights
in fastnet.keras and in Keras 3 (PyTorch backend, its own venv), train 3
epochs with shuffle=False and validation_split=0.25, then evaluate. Every
History value and evaluate() result is compared; the script fails when one
differs by more than --rtol (float32 rounding gives ~1e-6).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

CASES = {
    # name: (optimizer, last activation, units, loss, targets, metrics)
    "rmsprop_cce": (("RMSprop", {}), "softmax", 3, "categorical_crossentropy", "onehot",
                    ["accuracy"]),
    "adam_scce": (("Adam", {}), "softmax", 3, "sparse_categorical_crossentropy", "labels",
                  ["acc"]),
    "nesterov_bce": (("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
                     "sigmoid", 1, "binary_crossentropy", "binary", ["accuracy"]),
    "adagrad_mse": (("Adagrad", {"learning_rate": 0.05}), None, 1, "mse", "real", ["mae"]),
    "l2_rmsprop_cce": (("RMSprop", {}), "softmax", 3, "categorical_crossentropy", "onehot",
                       ["accuracy"]),
}


def child(impl, weights_path):
    if impl == "keras":
        from keras import layers, models, optimizers, regularizers
    else:
        from fastnet.keras import layers, models, optimizers, regularizers
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 5)).astype("float32")
    labels = rng.integers(0, 3, 96)
    targets = {"labels": labels, "onehot": np.eye(3, dtype="float32")[labels],
               "binary": (x[:, 0] > 0).astype("float32"),
               "real": (x @ rng.standard_normal(5)).astype("float32")}
    w = np.load(weights_path)
    out = {}
    for name, (opt, act, units, loss, target, metrics) in CASES.items():
        penalty = regularizers.l2(0.01) if name.startswith("l2") else None
        model = models.Sequential([
            layers.Dense(8, activation="relu", input_shape=(5,), kernel_regularizer=penalty),
            layers.Dense(units, activation=act)])
        model.set_weights([w["w0"], w["b0"], w[f"w1_{units}"], w[f"b1_{units}"]])
        optimizer = getattr(optimizers, opt[0])(**opt[1])
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
        y = targets[target]
        h = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                      validation_split=0.25)
        out[name] = {k: [float(v) for v in vals] for k, vals in h.history.items()}
        out[name]["evaluate"] = [float(v) for v in model.evaluate(x, y, verbose=0)]
    print(json.dumps(out))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", default=".venv-keras/bin/python")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--child", choices=["fastnet", "keras"], help=argparse.SUPPRESS)
    parser.add_argument("--weights", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.weights)
        return 0
    rng = np.random.default_rng(5)
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, "weights.npz")
        np.savez(weights, w0=(rng.standard_normal((5, 8)) * 0.5).astype("float32"),
                 b0=np.zeros(8, "float32"),
                 w1_3=(rng.standard_normal((8, 3)) * 0.5).astype("float32"),
                 b1_3=np.zeros(3, "float32"),
                 w1_1=(rng.standard_normal((8, 1)) * 0.5).astype("float32"),
                 b1_1=np.zeros(1, "float32"))
        env = dict(os.environ, KERAS_BACKEND="torch", OMP_NUM_THREADS="1")
        logs = {}
        for impl, python in (("fastnet", sys.executable), ("keras", args.keras_python)):
            run = subprocess.run([python, "-W", "ignore", os.path.abspath(__file__), "--child",
                                  impl, "--weights", weights], env=env, capture_output=True,
                                 text=True)
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
