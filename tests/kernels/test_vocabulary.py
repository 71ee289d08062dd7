"""The vocabulary (fastnet/backend/vocabulary.py): one list of activations and
SIMD levels, the compiled modules agreeing with it, one environment variable."""

import pytest

from fastnet.backend import vocabulary
from fastnet.backend.vocabulary import ACTIVATION_CODES, ACTIVATIONS, SIMD_LEVELS, simd_cap


def test_codes_are_positions():
    assert [ACTIVATION_CODES[name] for name in ACTIVATIONS] == list(range(len(ACTIVATIONS)))
    assert SIMD_LEVELS == ("portable", "avx2", "avx512")


def test_the_compiled_elementwise_module_uses_the_same_activation_codes():
    elementwise = pytest.importorskip("fastnet._elementwise")
    assert elementwise.ACTIVATION_CODES == ACTIVATION_CODES


def test_the_compiled_modules_name_their_simd_level_in_the_vocabulary():
    elementwise = pytest.importorskip("fastnet._elementwise")
    assert elementwise.simd() in SIMD_LEVELS


@pytest.mark.parametrize("env, cap", [
    ({}, None),
    ({"FASTNET_SIMD": "portable"}, "portable"),
    ({"FASTNET_SIMD": "AVX2"}, "avx2"),
    ({"FASTNET_GEMM_SIMD": "avx2_fma"}, "avx2"),  # the old name and the old spelling
    ({"FASTNET_SIMD": "avx512", "FASTNET_GEMM_SIMD": "portable"}, "avx512"),  # new name first
    ({"FASTNET_SIMD": "neon"}, None),  # unknown: ignored
])
def test_one_environment_variable_caps_the_simd_level(monkeypatch, env, cap):
    for variable in (vocabulary.SIMD_ENV, *vocabulary.SIMD_ENV_OLD_NAMES):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    assert simd_cap() == cap
