"""The GPU kernels' CUDA sources compile (NVRTC), for float and double: no GPU needed.

CuPy compiles its kernels with NVRTC on their first call, which needs a GPU.
NVRTC itself needs none, so where the library is installed (the
`nvidia-cuda-nvrtc-cu12` wheel, or a CUDA toolkit) this test compiles every
source of the "cupy" backend (fastnet/backend/cupy/<family>.py, and the
activations' device functions in launch.py) and fails with NVRTC's log. An
ElementwiseKernel's statement is compiled inside a small harness shaped like
the kernel CuPy generates (inputs as `const T`, outputs as `T&`, the
preamble before it); the RawKernels are compiled as they are. It checks
syntax and types only: that the kernels compute the right numbers is
checked on a GPU by the backend tests, and their glue on the CPU by
test_gpu_wiring.py and test_gpu_arrays.py.
"""

import ctypes
import ctypes.util
import glob
import importlib.util
import os

import pytest

from fastnet.backend import cupy as gpu


def _find_nvrtc():
    candidates = []
    spec = importlib.util.find_spec("nvidia")
    for root in (spec.submodule_search_locations or []) if spec else []:
        candidates += sorted(glob.glob(os.path.join(root, "cuda_nvrtc", "lib", "libnvrtc.so*")))
    found = ctypes.util.find_library("nvrtc")
    candidates += [found] if found else []
    for path in candidates:
        if "alt" in os.path.basename(path) or "builtins" in os.path.basename(path):
            continue
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


NVRTC = _find_nvrtc()
pytestmark = pytest.mark.skipif(
    NVRTC is None, reason="NVRTC not found (pip install nvidia-cuda-nvrtc-cu12 to check the "
    "CUDA sources on a machine without a GPU)"
)


def compile_cuda(source, name="fastnet_check.cu"):
    """Compile with NVRTC; returns (ok, log)."""
    prog = ctypes.c_void_p()
    status = NVRTC.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), name.encode(),
                                      0, None, None)
    assert status == 0, f"nvrtcCreateProgram failed: {status}"
    # 177: "declared but never referenced": the identity backward ignores its
    # `y`, the same signature as the other activations' backward.
    options = [b"--gpu-architecture=compute_75", b"-std=c++14", b"-diag-suppress=177"]
    opts = (ctypes.c_char_p * len(options))(*options)
    status = NVRTC.nvrtcCompileProgram(prog, len(options), opts)
    size = ctypes.c_size_t()
    NVRTC.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    NVRTC.nvrtcGetProgramLog(prog, log)
    NVRTC.nvrtcDestroyProgram(ctypes.byref(prog))
    return status == 0, log.value.decode(errors="replace")


def elementwise_harness(spec, real):
    """An ElementwiseKernel's statement inside a kernel shaped like CuPy's."""
    in_params, out_params, operation = spec
    names_in = [p.split()[-1] for p in in_params.split(",")]
    names_out = [p.split()[-1] for p in out_params.split(",")]
    args = [f"const T* _in_{n}" for n in names_in] + [f"T* _out_{n}" for n in names_out]
    body = [f"    const T {n} = _in_{n}[i];" for n in names_in]
    body += [f"    T& {n} = _out_{n}[i];" for n in names_out]
    return "\n".join([
        f"typedef {real} T;",
        gpu.launch.PREAMBLE,
        f'extern "C" __global__ void check({", ".join(args)}, long long n) {{',
        "    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;",
        "    if (i >= n) return;",
        *body,
        f"    {operation};",
        "}",
    ])


def elementwise_specs():
    tables = {
        "forward": gpu.elementwise.ACTIVATION_FORWARD,
        "backward": gpu.elementwise.ACTIVATION_BACKWARD,
        "bias": gpu.gemm.BIAS_ACTIVATION,
        "update": gpu.optimizers.OPTIMIZERS,
        "batchnorm": gpu.norm.BATCHNORM,
    }
    specs = [(f"{kind}-{name}", spec) for kind, table in tables.items()
             for name, spec in table.items()]
    return specs + [("sigmoid_bce", gpu.losses.SIGMOID_BCE)]


@pytest.mark.parametrize("real", ["float", "double"])
@pytest.mark.parametrize("name, spec", elementwise_specs(), ids=[s[0] for s in elementwise_specs()])
def test_elementwise_kernel_compiles(name, spec, real):
    ok, log = compile_cuda(elementwise_harness(spec, real))
    assert ok and not log.strip(), f"{name} ({real}) does not compile cleanly:\n{log}"


@pytest.mark.parametrize("real", ["float", "double"])
@pytest.mark.parametrize("family, name", [("losses", "ROW_KERNELS"), ("conv", "CONV_KERNELS"),
                                          ("embedding", "EMBEDDING_KERNELS")])
def test_raw_kernels_compile(family, name, real):
    source = getattr(getattr(gpu, family), name)
    ok, log = compile_cuda(gpu.launch.raw_source(source, real))
    assert ok and not log.strip(), f"{name} ({real}) do not compile cleanly:\n{log}"


def test_a_broken_source_is_reported():
    """The check can fail: a typo is an NVRTC error with a log."""
    ok, log = compile_cuda('extern "C" __global__ void f(float* x) { x[0] = undefined_name; }')
    assert not ok and "undefined_name" in log
