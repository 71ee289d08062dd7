"""The words every backend shares: activations and SIMD levels, each listed once.

A list that several layers need is written here and imported everywhere
else (the checks, the "cython" backend, the CUDA sources of the "cupy"
backend, the test stand-ins), so adding a word is one edit. The code of a
word is its index: the number the compiled kernels receive.

The C side has one list too (the compiled modules expose their codes, and a
test checks that they agree with these).
"""

import os

# The activations a kernel can apply (gemm's epilogue, activation_forward...).
ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")
ACTIVATION_CODES = {name: code for code, name in enumerate(ACTIVATIONS)}

# The instruction sets a compiled kernel can be built for, narrowest first.
SIMD_LEVELS = ("portable", "avx2", "avx512")
SIMD_CODES = {name: code for code, name in enumerate(SIMD_LEVELS)}
# Older spellings, still accepted where a user passes a level ("avx2" always
# meant AVX2 with FMA: fastnet's AVX2 code needs both).
SIMD_ALIASES = {"avx2_fma": "avx2"}

# One environment variable caps the SIMD level of the compiled kernels, e.g.
# FASTNET_SIMD=portable to run the plain C code on any CPU. FASTNET_GEMM_SIMD
# is its old name, still read. (The C side reads FASTNET_SIMD itself for the
# elementwise, losses and conv loops, with FASTNET_ELEMENTWISE_SIMD as its old
# name: csrc/common/simd.c.)
SIMD_ENV = "FASTNET_SIMD"
SIMD_ENV_OLD_NAMES = ("FASTNET_GEMM_SIMD",)


def simd_level(name):
    """The level called `name` (an alias gives its level), or None for an unknown name."""
    name = SIMD_ALIASES.get(name, name)
    return name if name in SIMD_CODES else None


def simd_cap():
    """The SIMD level the environment caps the kernels at, or None when it sets none.

    FASTNET_SIMD is read first, then its old name; an unknown value is
    ignored, as it always was.
    """
    for variable in (SIMD_ENV, *SIMD_ENV_OLD_NAMES):
        value = os.environ.get(variable)
        if value:
            return simd_level(value.lower())
    return None
