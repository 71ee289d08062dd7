"""fastnet.keras against Keras 3 itself, same model, same data shapes, in one run.

    python benchmarks/keras_vs_fastnet.py --keras-python .venv-keras/bin/python

The Keras side runs in its own virtual environment (Keras is no dependency
of fastnet): `python3 -m venv .venv-keras && .venv-keras/bin/pip install
keras torch==2.13.0`, with KERAS_BACKEND=torch. Both sides run as child
processes of this script, one after the other and alternating for
`--rounds` rounds, on 1 thread (OMP/MKL/OpenBLAS and torch set to 1), with
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from their environment.

Workload (the MNIST tutorial's): Dense(512, relu) -> Dense(10, softmax),
rmsprop, categorical cross-entropy, metrics=["accuracy"], float32:
- fit: one epoch over 60,000 samples of 784 features at batch 128;
- predict: 10,000 samples at Keras' default batch (32).
Data are uniform random numbers with the shapes of MNIST. Each child warms up
(a short fit and predict), then times `--repeats` runs of each; the table
gives the median of every run of both rounds and the ratio Keras / fastnet.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

N_TRAIN, N_PREDICT, FEATURES, CLASSES, BATCH = 60_000, 10_000, 784, 10, 128


def _data():
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((N_TRAIN, FEATURES), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, N_TRAIN)]
    return x, y


def _model(impl, gemm_path="auto"):
    if impl == "keras":
        import torch

        torch.set_num_threads(1)
        import keras
        from keras import layers, models
        version = f"keras {keras.__version__} (torch {torch.__version__})"
    else:
        import fastnet
        import fastnet.gemm
        from fastnet.keras import layers, models

        fastnet.set_num_threads(1)
        fastnet.gemm.set_gemm_path(gemm_path)
        version = f"fastnet ({fastnet.get_backend()} backend, gemm path {gemm_path})"
    model = models.Sequential([
        layers.Dense(512, activation="relu", input_shape=(FEATURES,)),
        layers.Dense(CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, version


def child(impl, repeats, gemm_path):
    """Time fit (one epoch) and predict; print one JSON line."""
    import warnings

    warnings.simplefilter("ignore")  # Keras warns about input_shape=; not timed
    x, y = _data()
    model, version = _model(impl, gemm_path)
    model.fit(x[:2560], y[:2560], batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    model.predict(x[:320], verbose=0)
    fit, predict = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        fit.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = model.predict(x[:N_PREDICT], verbose=0)
        predict.append(time.perf_counter() - t0)
    assert out.shape == (N_PREDICT, CLASSES)
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
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gemm-paths", default="auto",
                        help="fastnet GEMM paths to run, comma-separated (auto, numpy, fastnet)")
    parser.add_argument("--child", choices=["fastnet", "keras"], help=argparse.SUPPRESS)
    parser.add_argument("--gemm-path", default="auto", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.repeats, args.gemm_path)
        return
    runs = [(f"fastnet[{p}]", sys.executable, "fastnet", p) for p in args.gemm_paths.split(",")]
    runs.append(("keras", args.keras_python, "keras", "auto"))
    results = {name: {"fit_epoch_s": [], "predict_s": []} for name, *_ in runs}
    for _ in range(args.rounds):
        for name, python, impl, path in runs:
            out = subprocess.run(
                [python, os.path.abspath(__file__), "--child", impl, "--repeats",
                 str(args.repeats), "--gemm-path", path],
                env=_child_env(), capture_output=True, text=True)
            if out.returncode:
                sys.exit(f"{name} child failed:\n{out.stderr[-3000:]}")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            for key in ("fit_epoch_s", "predict_s"):
                results[name][key] += row[key]
            results[name]["version"] = row["version"]
    print(f"1 thread, float32, {args.rounds} rounds x {args.repeats} repeats, medians (s)")
    names = [name for name, *_ in runs]
    print(f"{'':18}" + "".join(f"{n:>16}" for n in names) + "   Keras / fastnet")
    for key, label in (("fit_epoch_s", "fit 1 epoch"), ("predict_s", "predict 10,000")):
        medians = [statistics.median(results[n][key]) for n in names]
        ratios = ", ".join(f"{medians[-1] / m:.2f}x" for m in medians[:-1])
        print(f"{label:18}" + "".join(f"{m:16.3f}" for m in medians) + f"   {ratios}")
    for name in names:
        print(f"{name}: {results[name]['version']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
