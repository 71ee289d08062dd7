"""The long fuzz profile, and the replay of one case.

    PYTHONPATH=tests python -m fuzz                    # FASTNET_FUZZ_CASES cases (100,000)
    PYTHONPATH=tests python -m fuzz --cases 2000 --seed 7
    PYTHONPATH=tests python -m fuzz --replay im2col 123456

The cases run in worker processes, one per SIMD variant of the compiled
loops (read once per process from FASTNET_SIMD) and one with
the direct convolution off, so a crash (a segfault, an abort from a corrupted
heap, a sanitizer report) is reported with the case that was running, and
the worker restarts after it. Exit status 1 on any mismatch or crash.
Environment: FASTNET_FUZZ_CASES, FASTNET_FUZZ_SECONDS (a time budget: the
run stops there and says so), FASTNET_FUZZ_SEED (default: a random one,
printed).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from fastnet.backend.vocabulary import SIMD_ENV

from . import runner
from .known_defects import KNOWN_DEFECTS, SANITIZER_STOPS, known_defect


def variants():
    """The environments the workers run under: every SIMD level this CPU has,
    and the single-channel convolution through patches instead of its direct
    kernels. (FASTNET_SIMD caps GEMM's default too; each case sets its own.)"""
    from fastnet.backend.cython.gemm import available_kernels

    levels = [{}]
    if "avx512" in available_kernels():
        levels.append({SIMD_ENV: "avx2"})
    levels.append({SIMD_ENV: "portable"})
    levels.append({"FASTNET_CONV_DIRECT": "off"})
    return levels


def work(args):
    """A worker: run seeds [first, first + count); write the case it is on to
    args.progress, each skipped or failing case to args.results as a JSON line
    as it happens, and the totals to stdout at the end."""
    fd = os.open(args.progress, os.O_WRONLY | os.O_CREAT)
    results = open(args.results, "a", buffering=1)

    def after_each(outcome, index, seconds):
        results.write(json.dumps({**outcome.__dict__, "index": index, "seconds": seconds})
                      + "\n")

    def before_each(kernel, seed):
        os.pwrite(fd, f"{kernel} {seed}\n".ljust(80).encode(), 0)
        if seed == args.abort_at:  # tests/fuzz/test_fuzz_quick.py: a crash gets reported
            os.abort()
        if seed == args.hang_at:  # and so does a hang
            time.sleep(10**6)

    kernels = args.kernels.split(",") if args.kernels else runner.KERNELS
    cases = ((kernels[seed % len(kernels)], seed)
             for seed in range(args.first, args.first + args.count))
    deadline = time.monotonic() + max(args.deadline - time.time(), 0)
    report = runner.run(cases, args.backend, args.include_known, deadline, before_each,
                        after_each)
    print(json.dumps({"cases": report.cases, "seconds": report.seconds}))


def _worker(env, first, count, deadline, options, progress, results):
    command = [sys.executable, "-m", "fuzz", "--worker", "--first", str(first), "--count",
               str(count), "--deadline", str(deadline), "--progress", progress,
               "--results", results]
    command += options
    stderr = tempfile.TemporaryFile()
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.pathsep.join(p for p in (tests, os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(command, env={**os.environ, **env, "PYTHONPATH": path},
                               stdout=subprocess.PIPE, stderr=stderr)
    return process, stderr


def _wait(process, progress, deadline, case_seconds):
    """The worker's stdout, or None when it hung: no new case for case_seconds, or
    still running a minute past the deadline (a corrupted heap can deadlock)."""
    started = time.time()
    while True:
        try:
            return process.communicate(timeout=1)[0]
        except subprocess.TimeoutExpired:
            last = os.path.getmtime(progress) if os.path.exists(progress) else started
            if time.time() - max(last, started) > case_seconds or time.time() > deadline + 60:
                process.kill()
                process.communicate()
                return None


def _crash(env, how, progress, stderr, backend):
    """(seed, Outcome) of the case a worker died in, its sanitizer report quoted."""
    with open(progress) as f:
        kernel, seed = f.read().split()[:2]
    stderr.seek(0)
    text = stderr.read().decode(errors="replace")
    # A sanitizer's report starts at its ERROR line; anything else ends with its cause.
    starts = [i for i in (text.find("ERROR: "), text.find("runtime error")) if i >= 0]
    quoted = text[max(min(starts) - 200, 0):][:3000] if starts else text[-3000:]
    setting = " ".join(f"{k}={v}" for k, v in env.items())
    name, _, case = runner.build(kernel, int(seed), backend)
    defect = known_defect(name, case)
    message = (f"CRASH: the worker {how} during case {kernel} {seed}"
               f"{' (' + setting + ')' if setting else ''}\n  (a corrupted heap can fail a "
               f"case later than the one that corrupted it)\n" + case.describe()
               + (f"\n  known defect: {defect}" if defect else "") + "\n  reproduce: "
               + (setting + " " if setting else "")
               + runner.reproducer(kernel, int(seed), backend, bool(defect))
               + "\n  stderr:\n    " + quoted.replace("\n", "\n    "))
    return int(seed), runner.Outcome(defect, message)


def run_variant(env, first, count, deadline, options, backend, case_seconds):
    """Every case of one variant, restarting the worker after each crash."""
    total = runner.Report()
    end = first + count
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        progress, results = os.path.join(tmp, "progress"), os.path.join(tmp, "results")
        while first < end and time.time() < deadline:
            open(results, "w").close()
            worker_start = time.monotonic()
            process, stderr = _worker(env, first, end - first, deadline, options, progress,
                                      results)
            out = _wait(process, progress, deadline, case_seconds)
            part = runner.Report()
            with open(results) as lines:
                for line in lines:
                    fields = json.loads(line)
                    index, seconds = fields.pop("index"), fields.pop("seconds")
                    part.record(runner.Outcome(**fields), index, seconds)
            if out is not None and process.returncode == 0:
                totals = json.loads(out.decode().strip().splitlines()[-1])
                part.cases, part.seconds = totals["cases"], totals["seconds"]
                total.add(part)
                break
            how = (f"exited with status {process.returncode}" if out is not None else
                   f"hung (killed after {case_seconds:g} s without a new case)")
            seed, outcome = _crash(env, how, progress, stderr, backend)
            part.cases, part.seconds = seed - first + 1, time.monotonic() - worker_start
            part.record(outcome, part.cases, part.seconds)
            total.add(part)
            first = seed + 1
    total.seconds = time.monotonic() - start
    return total


def profile(args):
    # A fresh seed, far from the last run's: runs minutes apart must not share cases.
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**40)
    deadline = time.time() + args.seconds
    options = (["--backend", args.backend] if args.backend else []) + (
        ["--include-known"] if args.include_known else []) + (
        ["--kernels", args.kernels] if args.kernels else []) + (
        ["--abort-at", str(args.abort_at)] if args.abort_at is not None else []) + (
        ["--hang-at", str(args.hang_at)] if args.hang_at is not None else [])
    envs = variants()
    share = -(-args.cases // len(envs))
    print(f"fuzz: {args.cases} cases from seed {seed}, {len(runner.KERNELS)} kernels, "
          f"workers {envs or 'default'}, time budget {args.seconds:.0f} s", flush=True)
    total = runner.Report()
    for i, env in enumerate(envs):
        count = min(share, args.cases - i * share)
        report = run_variant(env, seed + i * share, count, deadline, options, args.backend,
                             args.case_seconds)
        print(f"  {env or 'widest SIMD'}: {report.cases} cases in {report.seconds:.0f} s, "
              f"{len(report.failures)} failures", flush=True)
        total.add(report)
    return summarize(total, args.cases, args.show)


def summarize(report, wanted, show):
    for message in report.failures[:show] + list(report.examples.values()):
        print("\n" + message)
    crashes = sum(m.startswith("CRASH") for m in report.failures)
    print(f"\nfuzz: {report.cases} cases in {report.seconds:.0f} s: "
          f"{len(report.failures) - crashes} mismatches, {crashes} crashes")
    for defect, row in KNOWN_DEFECTS.items():
        if defect in report.confirmed:
            cases, seconds = report.first_seen[defect]
            print(f"  known defect {defect}: {report.confirmed[defect]} failing cases, the "
                  f"first after {cases} cases, {seconds:.0f} s ({row.summary})")
        elif defect in report.skipped:
            print(f"  known defect {defect}: {report.skipped[defect]} cases skipped")
    if report.cases < wanted:
        print(f"fuzz: stopped at the time budget after {report.cases} of {wanted} cases")
    return 1 if report.failures or report.confirmed else 0


def replay(args):
    kernel, seed = args.replay[0], int(args.replay[1])
    name, settings, case = runner.build(kernel, seed, args.backend)
    print(f"{kernel} seed {seed} on {name!r} ({settings})\n{case.describe()}", flush=True)
    outcome = runner.run_case(kernel, seed, args.backend, include_known=True)
    print(outcome.message or "agrees with the reference")
    return 1 if outcome.message else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("FASTNET_FUZZ_CASES",
                                                                        100_000)))
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("FASTNET_FUZZ_SECONDS", 1200)))
    parser.add_argument("--seed", type=int, default=(int(os.environ["FASTNET_FUZZ_SEED"])
                                                     if os.environ.get("FASTNET_FUZZ_SEED")
                                                     else None))
    parser.add_argument("--backend", choices=("cython", "cupy-fake", "cupy"))
    parser.add_argument("--include-known", action="store_true",
                        help="run the cases of KNOWN_DEFECTS too (they may crash)")
    parser.add_argument("--replay", nargs=2, metavar=("KERNEL", "SEED"))
    parser.add_argument("--show", type=int, default=20, help="failures printed in full")
    parser.add_argument("--case-seconds", type=float, default=120,
                        help="a worker with no new case for this long has hung")
    parser.add_argument("--kernels", help="only these kernels, separated by commas")
    parser.add_argument("--sanitizer-stops", action="store_true",
                        help="print pytest options deselecting known_defects.SANITIZER_STOPS")
    worker = parser.add_argument_group("worker (internal)")
    worker.add_argument("--worker", action="store_true")
    worker.add_argument("--first", type=int)
    worker.add_argument("--count", type=int)
    worker.add_argument("--deadline", type=float)
    worker.add_argument("--progress")
    worker.add_argument("--results")
    worker.add_argument("--abort-at", type=int, help="abort at this seed (tests the report)")
    worker.add_argument("--hang-at", type=int, help="hang at this seed (tests the watchdog)")
    args = parser.parse_args(argv)
    if args.worker:
        return work(args)
    if args.replay:
        return replay(args)
    if args.sanitizer_stops:
        print("\n".join(f"--deselect={test}" for test in SANITIZER_STOPS))
        return 0
    return profile(args)


if __name__ == "__main__":
    sys.exit(main())
