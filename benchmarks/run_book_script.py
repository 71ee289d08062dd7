"""Time one book-style script end to end: the book's NumPy code vs `fastnet run`.

    python benchmarks/run_book_script.py                      # ch07 train_convnet.py
    python benchmarks/run_book_script.py --repeat 5 --env EPOCHS=2
    python benchmarks/run_book_script.py --script tests/scratch/scripts/ch08/train_deepnet.py \
        --env TRAIN=1000 TEST=1000
    python benchmarks/run_book_script.py --float32 \
        --script tests/scratch/scripts/ch05/train_neuralnet.py   # the chapter 5 script

The same unchanged script runs twice per round, each in a fresh Python:
- "book-numpy": `python SCRIPT` with fastnet.book_numpy first on
  PYTHONPATH, so `common` and `dataset` are a plain-NumPy float64 package
  equivalent to the book's (written from ../shared/BOOK_API.md);
- "fastnet": `python -m fastnet run SCRIPT`, so they are fastnet.scratch;
- "fastnet-f32" (with --float32): `python -m fastnet run --float32 SCRIPT`,
  the book's layers in float32 (other numbers: see the README).
Wall-clock time of the whole process (start-up, imports, data, training,
evaluation), alternating the order each round; medians and their ratio are
printed. The last line each run printed (e.g. the final test accuracy) is
shown too: with the same seed both draw the same weights and batches, so
they should agree up to rounding. One thread each by default (--threads).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fastnet.book_numpy

ROOT = Path(__file__).resolve().parent.parent
BOOK_NUMPY = Path(fastnet.book_numpy.__file__).parent  # the scripts' common and dataset
DEFAULT_SCRIPT = ROOT / "tests" / "scratch" / "scripts" / "ch07" / "train_convnet.py"
# All 4,000 bundled training digits, one epoch (40 steps of 100), accuracy on
# 1,000 train + 1,000 test digits at the epoch and 1,000 at the end.
DEFAULT_ENV = {"EPOCHS": "1", "SEED": "0"}


def command(impl, script):
    if impl == "book-numpy":
        return [sys.executable, str(script)]
    flags = ["--float32"] if impl == "fastnet-f32" else []
    return [sys.executable, "-m", "fastnet", "run", *flags, str(script)]


def environment(impl, threads, extra, params):
    env = dict(os.environ)
    # Unset as the project's benchmarking notes ask: OpenBLAS picks its own kernel.
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(key, None)
    env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               FASTNET_OFFLINE="1", PARAMS=params, PYTHONWARNINGS="ignore")
    env.update(DEFAULT_ENV)
    env.update(extra)
    if impl == "book-numpy":
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(BOOK_NUMPY), env.get("PYTHONPATH")) if p)
    return env


def run_once(impl, script, threads, extra):
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(impl, threads, extra, str(Path(tmp) / "params.pkl"))
        start = time.perf_counter()
        result = subprocess.run(command(impl, script), cwd=script.parent, env=env,
                                capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{impl} failed ({result.returncode}):\n{result.stderr}")
    lines = [line for line in result.stdout.splitlines() if line.startswith("test acc")]
    return seconds, (lines[-1] if lines else result.stdout.splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="default 1")
    parser.add_argument("--float32", action="store_true",
                        help="also time `fastnet run --float32` (fastnet-f32)")
    parser.add_argument("--env", nargs="*", default=[], metavar="KEY=VALUE",
                        help="environment for the script, e.g. EPOCHS=2 TRAIN=1000")
    args = parser.parse_args(argv)
    script = args.script.resolve()
    extra = dict(item.split("=", 1) for item in args.env)
    impls = ["book-numpy", "fastnet"] + (["fastnet-f32"] if args.float32 else [])
    times = {impl: [] for impl in impls}
    last = {}
    print(f"{script.relative_to(ROOT)}  env {dict(DEFAULT_ENV, **extra)}  "
          f"{args.threads} thread(s), {args.repeat} rounds")
    for round_ in range(args.repeat):
        order = list(times) if round_ % 2 == 0 else list(reversed(times))
        for impl in order:
            seconds, last[impl] = run_once(impl, script, args.threads, extra)
            times[impl].append(seconds)
            print(f"  round {round_ + 1}  {impl:<11}  {seconds:7.2f} s   {last[impl]}")
    medians = {impl: statistics.median(t) for impl, t in times.items()}
    for impl, median in medians.items():
        print(f"{impl:<11} median {median:7.2f} s  (runs: "
              + ", ".join(f"{t:.2f}" for t in times[impl]) + ")")
    for impl in impls[1:]:
        print(f"{impl} is {medians['book-numpy'] / medians[impl]:.2f}x faster end to end "
              "than book-numpy")


if __name__ == "__main__":
    main()
