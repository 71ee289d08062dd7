"""fastnet.keras against Keras 3 itself, same model, same data shapes, in one run.

    python benchmarks/keras_vs_fastnet.py --keras-python .venv-keras/bin/python

The Keras side runs in its own virtual environment (Keras is no dependency
of fastnet): `python3 -m venv .venv-keras && .venv-keras/bin/pip install
keras torch==2.13.0`, with KERAS_BACKEND=torch. Both sides run as child
processes of this script, one after the other and alternating for
`--rounds` rounds, on 1 thread (OMP/MKL/OpenBLAS and torch set to 1), with
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from their environment.

Workloads (`--workload`), float32:
- mnist (the MNIST tutorial's): Dense(512, relu) -> Dense(10, softmax),
  rmsprop, categorical cross-entropy, metrics=["accuracy"]. fit: one epoch
  over 60,000 samples of 784 features at batch 128; predict: 10,000 samples
  at Keras' default batch (32). Data: uniform random numbers, MNIST's shapes.
- imdb (the usual IMDB tutorial's): Embedding(10000, 16) ->
  GlobalAveragePooling1D -> Dense(16, relu) -> Dense(1, sigmoid), rmsprop,
  binary cross-entropy, metrics=["accuracy"]. fit: one epoch over 25,000
  reviews at batch 512; predict: the same 25,000 at batch 512. Data: Keras'
  format after pad_sequences(maxlen=256): int32 word ids, each review a
  start mark (1) and 20-500 random ids in [2, 10000), zeros before it
  (padding), longer ones cut from the front, as pad_sequences does.
Each child warms up (a short fit and predict), then times `--repeats` runs of
each; the table gives the median of every run of all rounds, the spread
(lowest-highest) and the ratio Keras / fastnet of the medians.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# name -> samples, fit batch, predict samples, predict batch, the rows' labels.
WORKLOADS = {
    "mnist": (60_000, 128, 10_000, 32, ("fit 1 epoch", "predict 10,000")),
    "imdb": (25_000, 512, 25_000, 512, ("fit 1 epoch", "predict 25,000")),
}
FEATURES, CLASSES = 784, 10
VOCABULARY, MAXLEN = 10_000, 256


def _mnist_data(n):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((n, FEATURES), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, n)]
    return x, y


def _imdb_data(n):
    """What imdb.load_data + pad_sequences(maxlen=256) hand the tutorial's model."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = np.zeros((n, MAXLEN), dtype=np.int32)
    for row, length in zip(x, rng.integers(20, 500, n)):
        review = np.concatenate([[1], rng.integers(2, VOCABULARY, length)])[-MAXLEN:]
        row[MAXLEN - len(review):] = review  # padding and cutting both at the front
    return x, rng.integers(0, 2, n).astype(np.float32)


def _layers(workload, layers):
    if workload == "imdb":
        return [layers.Embedding(VOCABULARY, 16), layers.GlobalAveragePooling1D(),
                layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")]
    return [layers.Dense(512, activation="relu"), layers.Dense(CLASSES, activation="softmax")]


def _model(impl, workload, gemm_path="auto"):
    if impl == "keras":
        import torch

        torch.set_num_threads(1)
        import keras
        from keras import layers, models
        version = f"keras {keras.__version__} (torch {torch.__version__})"
        first = keras.Input((MAXLEN if workload == "imdb" else FEATURES,))
    else:
        import fastnet
        import fastnet.gemm
        from fastnet.keras import Input, layers, models

        fastnet.set_num_threads(1)
        fastnet.gemm.set_gemm_path(gemm_path)
        version = f"fastnet ({fastnet.get_backend()} backend, gemm path {gemm_path})"
        first = Input((MAXLEN if workload == "imdb" else FEATURES,))
    model = models.Sequential([first, *_layers(workload, layers)])
    loss = "binary_crossentropy" if workload == "imdb" else "categorical_crossentropy"
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model, version


def child(impl, workload, repeats, gemm_path):
    """Time fit (one epoch) and predict; print one JSON line."""
    n, batch, n_predict, predict_batch, _ = WORKLOADS[workload]
    x, y = (_imdb_data if workload == "imdb" else _mnist_data)(n)
    model, version = _model(impl, workload, gemm_path)
    model.fit(x[:5 * batch], y[:5 * batch], batch_size=batch, epochs=1, verbose=0)  # warm-up
    model.predict(x[:320], batch_size=predict_batch, verbose=0)
    fit, predict = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        fit.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = model.predict(x[:n_predict], batch_size=predict_batch, verbose=0)
        predict.append(time.perf_counter() - t0)
    assert out.shape == (n_predict, y.shape[1] if y.ndim == 2 else 1)
    print(json.dumps({"impl": impl, "version": version, "fit_epoch_s": fit,
                      "predict_s": predict, "loss": history.history["loss"][-1]}))


def _child_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3")
    return env


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", default=".venv-keras/bin/python",
                        help="the Python of a venv with keras and torch installed")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="mnist")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gemm-paths", default="auto",
                        help="fastnet GEMM paths to run, comma-separated (auto, numpy, fastnet)")
    parser.add_argument("--child", choices=["fastnet", "keras"], help=argparse.SUPPRESS)
    parser.add_argument("--gemm-path", default="auto", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.workload, args.repeats, args.gemm_path)
        return
    runs = [(f"fastnet[{p}]", sys.executable, "fastnet", p) for p in args.gemm_paths.split(",")]
    runs.append(("keras", args.keras_python, "keras", "auto"))
    results = {name: {"fit_epoch_s": [], "predict_s": []} for name, *_ in runs}
    for _ in range(args.rounds):
        for name, python, impl, path in runs:
            out = subprocess.run(
                [python, os.path.abspath(__file__), "--child", impl, "--workload",
                 args.workload, "--repeats", str(args.repeats), "--gemm-path", path],
                env=_child_env(), capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"{name} child failed:\n{out.stderr[-3000:]}")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            for key in ("fit_epoch_s", "predict_s"):
                results[name][key] += row[key]
            results[name]["version"] = row["version"]
    print(f"{args.workload}: 1 thread, float32, {args.rounds} rounds x {args.repeats} "
          "repeats, medians (lowest-highest) in s")
    names = [name for name, *_ in runs]
    print(f"{'':18}" + "".join(f"{n:>22}" for n in names) + "   Keras / fastnet")
    for key, label in zip(("fit_epoch_s", "predict_s"), WORKLOADS[args.workload][-1]):
        medians = [statistics.median(results[n][key]) for n in names]
        spreads = [f"{m:.3f} ({min(results[n][key]):.3f}-{max(results[n][key]):.3f})"
                   for n, m in zip(names, medians)]
        ratios = ", ".join(f"{medians[-1] / m:.2f}x" for m in medians[:-1])
        print(f"{label:18}" + "".join(f"{t:>22}" for t in spreads) + f"   {ratios}")
    for name in names:
        print(f"{name}: {results[name]['version']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
