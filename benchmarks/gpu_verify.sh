#!/usr/bin/env bash
# shellcheck disable=SC2329  # the functions run through `step`, beyond shellcheck's sight
# Issue 4's GPU check as one job: build fastnet on a GPU machine, run the
# whole test suite there (the "cupy" backend included), time
# benchmarks/bench_gpu.py against PyTorch CUDA, and leave logs and tables in $OUT.
#
# Written for the device tool's machines (one NVIDIA GPU; CuPy, PyTorch CUDA,
# Python 3.12, cython, scikit-build-core, cmake, ninja, pytest, pytest-xdist,
# pytest-benchmark, hypothesis and threadpoolctl installed; no internet).
# They lack cython-cmake, which the build needs, so carry its wheel. Once, in
# the repo's root, on a machine with pip and the internet:
#
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download cython-cmake --no-deps --only-binary=:all: \
#       --python-version 3.12 -d .whl
#
# then call the device tool's run with
#   command: bash benchmarks/gpu_verify.sh     carry: [".whl"]     timeout_s: 600
#
# Every step runs even when an earlier one failed, and each has a time limit,
# so that one bug does not waste the run and the whole job ends inside the
# tool's 10 minutes. What it leaves in $OUT:
#   env.txt         GPU, driver and package versions
#   build.log       pip's build of fastnet (CMake's output included)
#   tests.log       pytest tests -n 8, every backend that loads there
#   bench.log       pytest benchmarks/bench_gpu.py
#   gpu.json        its pytest-benchmark JSON
#   gpu_report.txt  report.py's tables, then issue 4's targets (PASS / FAIL)
#   summary.txt     each step's exit status and seconds
#
# Settings (environment): PYTHON (python3), JOBS (8 test workers),
# BUILD_LIMIT (240 s), TEST_LIMIT (240 s), TOTAL_LIMIT (570 s: the
# benchmarks get what is left of it, at least 60 s).

set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-8}
BUILD_LIMIT=${BUILD_LIMIT:-240}
TEST_LIMIT=${TEST_LIMIT:-240}
TOTAL_LIMIT=${TOTAL_LIMIT:-570}
OUT=${OUT:-/tmp/fastnet-gpu-verify}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
# Plain float32 on the GPU (CuPy uses TF32 only when this is 1), and NumPy's
# BLAS on its default kernel for the CPU reference.
unset CUPY_TF32 OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

summary=()
failed=0

# step NAME LIMIT LOG SHOW COMMAND...: run COMMAND (a program or one of the
# functions below) for at most LIMIT seconds, its output kept in LOG and shown
# whole (SHOW=all) or its last SHOW lines; record its exit status and time.
# On the limit it gets SIGINT first, so pytest still prints what it has.
step() {
    local name=$1 limit=$2 log=$3 show=$4
    shift 4
    if declare -F "$1" >/dev/null; then  # timeout runs programs: a function runs in bash
        set -- bash -c "$1"
    fi
    local start=$SECONDS rc
    echo
    echo "=== $name: at ${start} s, limit ${limit} s: $*"
    if [ "$show" = all ]; then
        timeout -s INT -k 20 "$limit" "$@" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
    else
        timeout -s INT -k 20 "$limit" "$@" >"$log" 2>&1
        rc=$?
        tail -n "$show" "$log"
    fi
    summary+=("$(printf '%-12s exit %-3s %4d s' "$name" "$rc" $((SECONDS - start)))")
    [ "$rc" -eq 0 ] || failed=1
    return "$rc"
}

versions() {
    date -u
    nvidia-smi
    "$PYTHON" - <<'EOF'
import platform
import sys

print("python", sys.version.split()[0], "at", sys.executable, "on", platform.platform())
for name in ("numpy", "cupy", "torch", "Cython", "scikit_build_core", "pytest",
             "pytest_benchmark", "xdist", "hypothesis", "threadpoolctl", "cython_cmake"):
    try:
        module = __import__(name)
        print(f"{name} {getattr(module, '__version__', '?')}")
    except Exception as exc:  # report and go on: this is only the inventory
        print(f"{name}: not importable ({type(exc).__name__}: {exc})")
try:
    import cupy

    runtime = cupy.cuda.runtime
    props = runtime.getDeviceProperties(0)
    print("cupy: CUDA runtime", runtime.runtimeGetVersion(), "driver", runtime.driverGetVersion(),
          "device", props["name"].decode(), "CUPY_TF32 unset")
except Exception as exc:
    print(f"cupy: no device ({type(exc).__name__}: {exc})")
try:
    import torch

    print("torch: CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version(),
          "device", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
except Exception as exc:
    print(f"torch: no device ({type(exc).__name__}: {exc})")
EOF
    echo "CPU cores: $(nproc)"
}

# cython-cmake: installed there, or from the carried wheel, on PYTHONPATH
# (pip runs the build backend with the same environment).
cython_cmake() {
    if "$PYTHON" -c "import cython_cmake" 2>/dev/null; then
        echo "cython-cmake is installed"
        return 0
    fi
    local wheels=(.whl/cython_cmake-*.whl)
    if [ ! -e "${wheels[0]}" ]; then
        echo "no .whl/cython_cmake-*.whl: download it and carry .whl (see the top of benchmarks/gpu_verify.sh)"
        return 1
    fi
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target /tmp/site "${wheels[@]}"
}

smoke() {
    # From /tmp, so that the installed fastnet is the one imported.
    (cd /tmp && "$PYTHON" - <<'EOF'
import numpy as np

import fastnet

print("fastnet", fastnet.__file__)
B = fastnet.backend.load("cupy")
x = fastnet.to_device(np.arange(12, dtype=np.float32).reshape(3, 4))
y = fastnet.to_numpy(B.gemm(x, x, trans_b=True, bias=fastnet.to_device(np.ones(3, np.float32)),
                            activation="relu"))
expected = np.maximum(np.arange(12.0).reshape(3, 4) @ np.arange(12.0).reshape(3, 4).T + 1, 0)
print(B, "gemm + bias + relu:", y.tolist())
assert np.allclose(y, expected), expected
EOF
    )
}

export PYTHON OUT
export -f versions cython_cmake smoke
if step cython-cmake 60 /dev/null all cython_cmake && [ -d /tmp/site ]; then
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
step versions 60 "$OUT/env.txt" all versions
step build "$BUILD_LIMIT" "$OUT/build.log" 25 \
    "$PYTHON" -m pip install --no-build-isolation --no-deps --no-index --root-user-action=ignore \
    -v --config-settings=build-dir=/tmp/fastnet-build .
step smoke 120 /dev/null all smoke

# The suite, on 8 workers with 2 OpenMP threads each (16 cores); every GPU
# test runs on the real "cupy" backend. pytest-timeout, where installed, stops
# one stuck test instead of the whole step.
timeout_opt=()
if "$PYTHON" -c "import pytest_timeout" 2>/dev/null; then
    timeout_opt=(--timeout=120)
fi
step tests "$TEST_LIMIT" "$OUT/tests.log" 60 env OMP_NUM_THREADS=2 \
    "$PYTHON" -m pytest tests -q -n "$JOBS" -p no:cacheprovider --durations=10 ${timeout_opt[@]+"${timeout_opt[@]}"}

# The benchmarks: 1 thread for the CPU reference (benchmarks/conftest.py
# sets it too), at most 0.5 s per implementation after 10 rounds. Warnings
# are shown here rather than made errors (the tests step keeps the project's
# rule), so that a library's warning costs no numbers.
bench_limit=$((TOTAL_LIMIT - SECONDS - 20))
[ "$bench_limit" -ge 60 ] || bench_limit=60
step bench "$bench_limit" "$OUT/bench.log" all env OMP_NUM_THREADS=1 \
    "$PYTHON" -m pytest benchmarks/bench_gpu.py -p no:cacheprovider -rs \
    -W default -W ignore::pytest_benchmark.logger.PytestBenchmarkWarning \
    --benchmark-json="$OUT/gpu.json" --benchmark-group-by=group --benchmark-sort=name \
    --benchmark-max-time=0.5 --benchmark-min-rounds=10 \
    --benchmark-columns=min,median,max,stddev,rounds

report() {
    "$PYTHON" benchmarks/report.py "$OUT/gpu.json" && echo &&
        "$PYTHON" benchmarks/bench_gpu.py "$OUT/gpu.json"
}
export -f report
if [ -s "$OUT/gpu.json" ]; then
    step report 60 "$OUT/gpu_report.txt" all report
else
    summary+=("report       skipped: no $OUT/gpu.json")
    failed=1
fi

echo
echo "=== summary (the logs are in $OUT)"
printf '%s\n' "${summary[@]}" | tee "$OUT/summary.txt"
exit "$failed"
