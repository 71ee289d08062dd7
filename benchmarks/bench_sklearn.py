"""fastnet.sklearn against scikit-learn's own MLPClassifier, and a search on 1 vs 2 workers.

    python benchmarks/bench_sklearn.py                   # medians, ratios, accuracies
    pytest benchmarks/bench_sklearn.py --benchmark-only  # the same work as benchmarks
    pytest benchmarks/bench_sklearn.py --benchmark-disable   # quick check (small data)

Groups:
  sklearn_cv      5-fold cross_val_score of a 784-100-10 classifier on the 4,000
                  bundled digits in float32: 10 epochs, batch 100, Adam (lr 0.001,
                  no L2), 1 thread; FastnetClassifier vs MLPClassifier with the same
                  architecture, solver settings and epochs (tol=0: no early stop).
  sklearn_search  RandomizedSearchCV(n_iter=20, cv=3) of FastnetClassifier over
                  learning rate and weight decay, n_jobs=1 vs n_jobs=2 (loky
                  processes, one kernel thread each; the pool is started first).
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier

import fastnet
from fastnet.datasets import load_mnist
from fastnet.sklearn import FastnetClassifier

EPOCHS, BATCH, HIDDEN, FOLDS = 10, 100, 100, 5
SEARCH_ITER, SEARCH_CV, SEARCH_EPOCHS = 20, 3, 5


def digits(n=None):
    (x, t), _ = load_mnist(normalize=True, source="bundled")  # float32
    return (x, t) if n is None else (x[:n], t[:n])


def classifier(impl, epochs=EPOCHS):
    if impl == "fastnet":
        return FastnetClassifier(hidden_layer_sizes=(HIDDEN,), optimizer="adam",
                                 learning_rate=0.001, batch_size=BATCH, epochs=epochs,
                                 dtype="float32", random_state=0)
    return MLPClassifier(hidden_layer_sizes=(HIDDEN,), solver="adam", learning_rate_init=0.001,
                         alpha=0.0, batch_size=BATCH, max_iter=epochs, tol=0.0,
                         n_iter_no_change=epochs + 1, shuffle=True, random_state=0)


def cross_validation(impl, x, t, epochs=EPOCHS):
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        # MLPClassifier warns that max_iter ended training: that is the point here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_score(classifier(impl, epochs), x, t, cv=folds, n_jobs=1)


def search(n_jobs, x, t, n_iter=SEARCH_ITER, epochs=SEARCH_EPOCHS):
    space = {"learning_rate": loguniform(1e-4, 1e-2), "weight_decay": loguniform(1e-8, 1e-4)}
    return RandomizedSearchCV(classifier("fastnet", epochs), space, n_iter=n_iter,
                              cv=SEARCH_CV, n_jobs=n_jobs, random_state=0).fit(x, t)


@pytest.mark.parametrize("impl", ["fastnet", "sklearn-mlp"])
def test_cross_val_score(benchmark, impl):
    quick = benchmark.disabled
    x, t = digits(1000 if quick else None)
    epochs = 1 if quick else EPOCHS
    benchmark.group = "sklearn_cv"
    scores = benchmark.pedantic(cross_validation, args=(impl, x, t, epochs), rounds=3,
                                iterations=1)
    benchmark.extra_info["mean_accuracy"] = float(np.mean(scores))
    assert scores.shape == (FOLDS,) and np.all(scores > 0.5)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_randomized_search(benchmark, n_jobs):
    quick = benchmark.disabled
    x, t = digits(600 if quick else None)
    n_iter, epochs = (2, 1) if quick else (SEARCH_ITER, SEARCH_EPOCHS)
    search(n_jobs, x[:300], t[:300], n_iter=2, epochs=1)  # start the worker pool first
    benchmark.group = "sklearn_search"
    result = benchmark.pedantic(search, args=(n_jobs, x, t, n_iter, epochs), rounds=1,
                                iterations=1)
    assert len(result.cv_results_["params"]) == n_iter


def gemm_only_seconds(x, epochs=EPOCHS, repeat=50):
    """Seconds fastnet's GEMM alone takes for a 5-fold fit's matrix products: the five
    of each training step (x·W1, h·W2, then dW2, dx2, dW1; the first layer skips its
    dx) for every step of every fold, and the forward of every held-out batch.
    fastnet's speed-up over MLPClassifier cannot exceed MLPClassifier's time over
    this, however cheap the rest of a step becomes."""
    from fastnet.backend import current
    B = current()
    rng = np.random.default_rng(0)
    xb = np.ascontiguousarray(x[:BATCH], dtype=np.float32)
    W1 = rng.standard_normal((x.shape[1], HIDDEN)).astype(np.float32)
    W2 = rng.standard_normal((HIDDEN, 10)).astype(np.float32)
    b1, b2 = np.zeros(HIDDEN, np.float32), np.zeros(10, np.float32)

    def forward():
        h = B.gemm(xb, W1, b1, "relu")
        return h, B.gemm(h, W2, b2)

    def step():
        h, d = forward()
        B.gemm(h, d, trans_a=True)
        dh = B.gemm(d, W2, trans_b=True)
        B.gemm(xb, dh, trans_a=True)

    def per_call(fn):
        fn()
        return _median_seconds(lambda: [fn() for _ in range(repeat)], 7)[0] / repeat

    train = len(x) * (FOLDS - 1) // FOLDS
    steps = FOLDS * epochs * -(-train // BATCH)
    held_out_batches = FOLDS * -(-(len(x) - train) // BATCH)
    return per_call(step) * steps + per_call(forward) * held_out_batches


def test_products_bound():
    x, _ = digits(500)
    seconds = gemm_only_seconds(x, epochs=1, repeat=2)
    assert 0 < seconds < 60


def _median_seconds(fn, rounds):
    times, out = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    fastnet.set_num_threads(1)  # also NumPy's BLAS, which MLPClassifier uses
    x, t = digits()
    print(f"{len(t)} digits, float32, {FOLDS}-fold, {EPOCHS} epochs of batch {BATCH}, "
          f"1 thread, median of {args.rounds}")
    cv = {}
    for impl in ("fastnet", "sklearn-mlp"):
        cross_validation(impl, x[:500], t[:500], 1)  # warm-up
        cv[impl] = _median_seconds(lambda impl=impl: cross_validation(impl, x, t), args.rounds)
        print(f"  cross_val_score {impl:12s} {cv[impl][0]:7.2f} s  "
              f"accuracy {cv[impl][1].mean():.4f} ± {cv[impl][1].std():.4f}")
    ratio = cv["sklearn-mlp"][0] / cv["fastnet"][0]
    points = 100 * (cv["fastnet"][1].mean() - cv["sklearn-mlp"][1].mean())
    print(f"  speed-up fastnet / MLPClassifier: {ratio:.2f}x, accuracy {points:+.2f} points")
    products = gemm_only_seconds(x)
    print(f"  fastnet's matrix products alone: {products:.2f} s, so at most "
          f"{cv['sklearn-mlp'][0] / products:.2f}x here with the rest of each step free")
    search(2, x[:300], t[:300], n_iter=2, epochs=1)  # start the worker pool
    runs = {n: _median_seconds(lambda n=n: search(n, x, t), 1)[0] for n in (1, 2)}
    print(f"  RandomizedSearchCV(n_iter={SEARCH_ITER}, cv={SEARCH_CV}, {SEARCH_EPOCHS} epochs): "
          f"n_jobs=1 {runs[1]:.2f} s, n_jobs=2 {runs[2]:.2f} s, ratio {runs[1] / runs[2]:.2f}x")


if __name__ == "__main__":
    main()
