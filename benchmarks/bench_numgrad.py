"""Chapter 4's numerical gradient: the book's loop (plain NumPy) against fastnet, same run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \
        python benchmarks/bench_numgrad.py

Prints medians for one full numerical_gradient at batch 100 of MNIST digits:
  ch.4 TwoLayerNet(784, 50, 10), sigmoid: fastnet.book_numpy (the book's
      loop, every parameter) vs fastnet.scratch.ch04.TwoLayerNet, and the
      largest difference between their results;
  ch.5 TwoLayerNet (ReLU) and MultiLayerNet(784, [100]*5, 10): fastnet vs
      the same book loop over the net's own loss, timed on a random sample of
      --sample parameters per array and scaled to all of them (said so);
  fastnet on 1 and 2 threads.
"""

import argparse
import time

import numpy as np

import fastnet
from fastnet import datasets
from fastnet.book_numpy.two_layer_net_ch04 import TwoLayerNet as BookTwoLayerNet
from fastnet.nets import MultiLayerNet, TwoLayerNet
from fastnet.scratch.ch04 import TwoLayerNet as FastTwoLayerNet


def median_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def sampled_loop_seconds(net, x, t, sample, rng):
    """Seconds the book's loop would take over all of net's parameters, from a sample:
    its body (perturb in place, two full losses, restore) on `sample` elements per array."""
    total = 0.0
    for p in net.params.values():
        flat = p.reshape(-1)  # a view: the params are contiguous
        picked = rng.choice(flat.size, min(sample, flat.size), replace=False)
        start = time.perf_counter()
        for i in picked:
            keep = float(flat[i])
            flat[i] = keep + 1e-4
            up = net.loss(x, t)
            flat[i] = keep - 1e-4
            down = net.loss(x, t)
            flat[i] = keep
            (up - down) / 2e-4
        total += (time.perf_counter() - start) * flat.size / len(picked)
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--skip-book", action="store_true", help="time fastnet only")
    args = parser.parse_args()
    (x_all, t_all), _ = datasets.load_mnist(source="bundled", one_hot_label=True)
    rng = np.random.default_rng(0)
    batch = rng.choice(len(x_all), 100, replace=False)
    x, t = x_all[batch].astype(np.float64), t_all[batch]
    with open("/proc/loadavg") as f:  # the machine is shared: say how busy it was
        print(f"fastnet threads: {fastnet.get_num_threads()}; load average {f.read()[:14]}")

    np.random.seed(0)
    book = BookTwoLayerNet(784, 50, 10)
    np.random.seed(0)
    fast = FastTwoLayerNet(784, 50, 10)
    fast_s = median_seconds(lambda: fast.numerical_gradient(x, t), args.repeat)
    print(f"ch.4 TwoLayerNet(784, 50, 10) sigmoid, batch 100: fastnet {fast_s * 1e3:.1f} ms")
    if not args.skip_book:
        start = time.perf_counter()
        want = book.numerical_gradient(x, t)
        book_s = time.perf_counter() - start
        got = fast.numerical_gradient(x, t)
        diff = max(np.abs(got[k] - want[k]).max() for k in want)
        print(f"  book loop (NumPy, one run) {book_s:.2f} s; ratio {book_s / fast_s:.0f}x; "
              f"max |difference| {diff:.2e}")
    for threads in (1, 2):
        fastnet.set_num_threads(threads)
        s = median_seconds(lambda: fast.numerical_gradient(x, t), args.repeat)
        print(f"  fastnet on {threads} thread(s): {s * 1e3:.1f} ms")
    fastnet.set_num_threads(1)

    for name, net in [("ch.5 TwoLayerNet(784, 50, 10) relu", TwoLayerNet(784, 50, 10)),
                      ("MultiLayerNet(784, [100]*5, 10) relu", MultiLayerNet(784, [100] * 5, 10))]:
        s = median_seconds(lambda net=net: net.numerical_gradient(x, t), max(3, args.repeat // 2))
        line = f"{name}, batch 100: fastnet {s * 1e3:.1f} ms"
        if not args.skip_book:
            loop_s = sampled_loop_seconds(net, x, t, args.sample, rng)
            line += f"; book loop ≈ {loop_s:.1f} s (sampled); ratio ≈ {loop_s / s:.0f}x"
        print(line)


if __name__ == "__main__":
    main()
