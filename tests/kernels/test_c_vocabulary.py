"""The C vocabulary (csrc/common/vocabulary.h) and the one SIMD picker
(csrc/common/simd.c) agree with fastnet.backend.vocabulary."""
import os
import subprocess
import sys

import pytest

from fastnet.backend.vocabulary import ACTIVATIONS, SIMD_LEVELS

elementwise = pytest.importorskip("fastnet._elementwise")


def test_c_names_are_pythons():
    assert elementwise.ACTIVATIONS == ACTIVATIONS
    assert elementwise.SIMD_LEVELS == SIMD_LEVELS


def _simd_with(variables):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_SIMD")}
    env.update(variables)
    script = "from fastnet import _elementwise as e; print(e.simd())"
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.parametrize(("variables", "cap"), [
    ({"FASTNET_SIMD": "portable"}, "portable"),
    ({"FASTNET_SIMD": "AVX2"}, "avx2"),
    ({"FASTNET_SIMD": "avx2_fma"}, "avx2"),  # the old spelling, still accepted
    ({"FASTNET_ELEMENTWISE_SIMD": "portable"}, "portable"),  # the old variable
    ({"FASTNET_SIMD": "portable", "FASTNET_ELEMENTWISE_SIMD": "avx2"}, "portable"),
    ({"FASTNET_SIMD": "no such level"}, None),
])
def test_fastnet_simd_caps_the_level(variables, cap):
    widest = _simd_with({})
    if cap is not None:
        cap = SIMD_LEVELS[min(SIMD_LEVELS.index(cap), SIMD_LEVELS.index(widest))]
    expected = widest if cap is None else cap
    assert _simd_with(variables) == expected
