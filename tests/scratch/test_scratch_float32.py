"""The opt-in float32 mode of the book's layers (fastnet.scratch.precision):
`fastnet run --float32 SCRIPT` and `fastnet.scratch.install(dtype="float32")`.

It changes the numbers (float32 rounding) but not what a script learns, and
never the script's own arrays: its parameters stay float64, kept by reference
and updated in place. float64 stays the default.
"""

import numpy as np
import pytest
from _scratch_scripts import SCRIPTS, bundled_ok, offline  # noqa: F401  (the fixture)

import fastnet.scratch
from fastnet.scratch import precision, run_script
from fastnet.scratch.runner import main as run_main


def _affine():
    from common.layers import Affine

    rng = np.random.default_rng(0)
    W, b = 0.1 * rng.standard_normal((12, 5)), rng.standard_normal(5)
    return Affine(W, b), W, b, rng.random((4, 3, 4), dtype=np.float32)


def test_float64_stays_the_default():
    fastnet.scratch.install()
    assert precision.get_dtype() == "float64"
    layer, W, b, x = _affine()
    out = layer.forward(x)
    assert out.dtype == np.float64  # float32 images against float64 weights: NumPy's promotion
    np.testing.assert_allclose(out, x.reshape(4, -1) @ W + b, rtol=1e-13)


def test_install_float32_computes_affine_in_float32_on_the_callers_arrays():
    fastnet.scratch.install(dtype="float32")
    layer, W, b, x = _affine()
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x.reshape(4, -1) @ W + b, rtol=1e-5, atol=1e-6)
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == layer.dW.dtype == layer.db.dtype == np.float32
    assert dx.shape == x.shape
    np.testing.assert_allclose(layer.dW, x.reshape(4, -1).T @ np.ones((4, 5)), rtol=1e-5)
    # The layer still holds the caller's float64 arrays, and sees in-place updates.
    assert layer.W is W and layer.b is b and W.dtype == np.float64
    W -= 1.0
    np.testing.assert_allclose(layer.forward(x), x.reshape(4, -1) @ W + b, rtol=1e-5, atol=1e-5)


def test_uninstall_returns_to_float64_and_bad_dtypes_are_refused():
    fastnet.scratch.install(dtype="float32")
    fastnet.scratch.uninstall()
    assert precision.get_dtype() == "float64"
    with pytest.raises(ValueError, match="dtype must be one of"):
        fastnet.scratch.install(dtype="float16")


def _final_accuracy(capsys, monkeypatch, relative, dtype, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    run_script(SCRIPTS / relative, dtype=dtype)
    assert precision.get_dtype() == "float64"  # run_script puts the default back
    last = capsys.readouterr().out.splitlines()[-1]
    return float(last.split()[-1])


@bundled_ok
def test_ch05_learns_the_same_in_float32(capsys, monkeypatch):
    """The chapter 5 script, unchanged: the same final test accuracy within 1 point."""
    exact = _final_accuracy(capsys, monkeypatch, "ch05/train_neuralnet.py", "float64",
                            ITERS=241, SEED=0)
    fast = _final_accuracy(capsys, monkeypatch, "ch05/train_neuralnet.py", "float32",
                           ITERS=241, SEED=0)
    assert exact > 0.7
    assert abs(fast - exact) <= 0.01, (exact, fast)


@bundled_ok
def test_fastnet_run_float32_flag(tmp_path, capsys):
    script = tmp_path / "probe.py"
    script.write_text("import numpy as np\nfrom common.layers import Affine\n"
                      "a = Affine(np.ones((3, 2)), np.zeros(2))\n"
                      "print(a.forward(np.ones((1, 3), np.float32)).dtype)\n")
    assert run_main(["--float32", str(script)]) == 0
    assert run_main([str(script)]) == 0
    assert capsys.readouterr().out.split() == ["float32", "float64"]
