"""The measurements behind GEMM's auto rule: fastnet's packed GEMM against NumPy, per shape.

    python benchmarks/gemm_auto_sweep.py                 # float32, the rule's shapes
    python benchmarks/gemm_auto_sweep.py --dtype float64 --shapes 100x784x50 256x256x256

For each (m, k, n) it forces the cython backend's "fastnet" path, then its
"numpy" path (matmul + the one-pass epilogue), both with op(A) plain and
transposed, and prints time(numpy) / time(fastnet): above 1 fastnet is
faster. 1 thread, min of 5 rounds; run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset. The last column is what "auto" picks here.
"""

import argparse
import importlib
import time

import numpy as np
from threadpoolctl import threadpool_info

import fastnet

compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")

SHAPES = ["100x784x100", "100x784x50", "100x784x30", "100x784x20", "100x784x10",
          "100x100x10", "100x300x10", "1000x784x50", "100x4320x100", "4320x100x100",
          "100x128x100", "100x384x100", "200x200x200", "256x256x256", "512x512x512",
          "1024x1024x1024", "57600x25x30"]


def _best_seconds(fn, calls, rounds=5):
    fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    parser.add_argument("--shapes", nargs="+", default=SHAPES, help="MxKxN ...")
    args = parser.parse_args(argv)
    fastnet.set_num_threads(1)
    blas = [(i["internal_api"], i["version"], i.get("architecture"), i["num_threads"])
            for i in threadpool_info() if i["user_api"] == "blas"]
    print(f"{args.dtype}, 1 thread, kernel {compiled_gemm.get_kernel()}, BLAS {blas}")
    rng = np.random.default_rng(0)
    dtype = np.dtype(args.dtype)
    for shape in args.shapes:
        m, k, n = (int(v) for v in shape.split("x"))
        calls = max(4, int(4e7 / (2 * m * n * k)))
        b = rng.random((k, n)).astype(dtype)
        ratios = []
        for trans_a in (False, True):
            a = rng.random((k, m) if trans_a else (m, k)).astype(dtype)
            seconds = {}
            for path in ("fastnet", "numpy"):
                compiled_gemm.set_path(path)
                seconds[path] = _best_seconds(
                    lambda a=a, b=b, t=trans_a: compiled_gemm.gemm(a, b, trans_a=t), calls)
            ratios.append(seconds["numpy"] / seconds["fastnet"])
        compiled_gemm.set_path("auto")
        flops = 2 * m * n * k / seconds["fastnet"] / 1e9
        print(f"{m:6d} x {k:5d} x {n:5d}  numpy/fastnet time: A {ratios[0]:4.2f}  A.T "
              f"{ratios[1]:4.2f}   fastnet {flops:5.1f} GFLOP/s   auto: "
              f"{compiled_gemm.path_for(m, n, k, dtype)}")


if __name__ == "__main__":
    main()
