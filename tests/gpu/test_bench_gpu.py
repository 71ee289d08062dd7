"""benchmarks/bench_gpu.py's own code (and _gpu_steps.py's), checked where there is no GPU.

The GPU benchmark runs only on a machine with one, rarely and on borrowed
time, so what can be checked beforehand is checked here: its fastnet step on
the strict CuPy stand-in (tests/_fake_device.py) passes its gradient check and
moves no array between host and device while timed; its PyTorch twin of each
net (on the CPU, when PyTorch is installed) gives the same first gradient
from the same weights; its gradient check rejects a wrong gradient; and the
summary of issue 4's targets reads a pytest-benchmark JSON correctly.
"""

import importlib
import json
from pathlib import Path

import numpy as np
import pytest
from _fake_device import FAKE_GPU_NAME, make_fake_gpu_backend

import fastnet
import fastnet.backend

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
SMALL_BATCH = 8


def _load(name):
    """benchmarks/NAME.py as a module: benchmarks/ is no package, and its
    modules import each other by name, so the folder is on sys.path meanwhile."""
    path = BENCH_DIR / f"{name}.py"
    if not path.exists():  # an installed wheel tested outside the source tree
        pytest.skip(f"{path} is not here")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH_DIR))
        return importlib.import_module(name)


@pytest.fixture(scope="module")
def bench():
    """benchmarks/bench_gpu.py: the timed benchmarks and the summary of issue 4's targets."""
    return _load("bench_gpu")


@pytest.fixture(scope="module")
def steps():
    """benchmarks/_gpu_steps.py: the training steps bench_gpu.py times, each checked first."""
    return _load("_gpu_steps")


@pytest.fixture
def fake_gpu(monkeypatch):
    """The GPU backend's code on the stand-in, registered as FAKE_GPU_NAME; its transfer counter."""
    B = make_fake_gpu_backend()
    monkeypatch.setitem(fastnet.backend._IMPL_MODULES, FAKE_GPU_NAME, "<tests/_fake_device.py>")
    monkeypatch.setitem(fastnet.backend._loaded, FAKE_GPU_NAME, B)
    return B.xp.transfers


NET_NAMES = ["twolayer_sgd", "multilayer_adam", "simpleconv_adam"]


def host_copies(params, to_host):
    return {key: np.array(to_host(value)) for key, value in params.items()}


@pytest.mark.parametrize("net_name", NET_NAMES)
def test_fastnet_step_is_checked_and_copies_nothing(steps, fake_gpu, net_name):
    step, params, err = steps.fastnet_step(net_name, SMALL_BATCH, FAKE_GPU_NAME)
    assert 0 <= err <= steps.GRAD_RTOL
    before = host_copies(params, fastnet.to_numpy)
    with fastnet.using_backend(FAKE_GPU_NAME):
        copies = dict(fake_gpu)
        step()
        step()
        moved = {kind: fake_gpu[kind] - copies.get(kind, 0) for kind in ("to_device", "to_host")}
    # The timed function copies no array: the batch, the net and the
    # optimizer's state were all put on the device before timing.
    assert moved == {"to_device": 0, "to_host": 0}
    after = host_copies(params, fastnet.to_numpy)
    assert all(not np.array_equal(before[k], after[k]) for k in before if k.startswith("W"))


@pytest.mark.parametrize("net_name", NET_NAMES)
def test_torch_twin_has_the_same_first_gradient(steps, net_name):
    torch = pytest.importorskip("torch")
    # torch_step checks its first gradient against fastnet's (cython, float64)
    # and raises if a layer, a weight's layout or the loss differs.
    step, params, err = steps.torch_step(torch, net_name, SMALL_BATCH, "cpu")
    assert 0 <= err <= steps.GRAD_RTOL
    before = host_copies(params, lambda p: p.detach().numpy())
    step()
    after = host_copies(params, lambda p: p.detach().numpy())
    assert all(not np.array_equal(before[k], after[k]) for k in before if k.endswith("weight"))


def test_gradient_check_rejects_a_wrong_gradient(steps):
    expected = steps.reference_gradient("twolayer_sgd", SMALL_BATCH)
    assert steps.check_gradient(expected, expected, "itself") == 0
    wrong = dict(expected, b2=expected["b2"][::-1].copy())  # a layout mistake
    with pytest.raises(AssertionError, match="b2"):
        steps.check_gradient(wrong, expected, "reversed b2")
    scaled = dict(expected, W1=expected["W1"] * 1.05)  # a wrong batch mean, say
    with pytest.raises(AssertionError, match="W1"):
        steps.check_gradient(scaled, expected, "scaled W1")


def _bench_json(medians):
    """A pytest-benchmark JSON holding {(group, impl): median}."""
    return {"benchmarks": [{"group": group, "params": {"impl": impl}, "stats": {"median": m}}
                           for (group, impl), m in medians.items()]}


def test_targets_summary(bench, tmp_path, capsys):
    data = _bench_json({
        ("gpu_gemm_4096", "cupy-matmul"): 2.0e-3,
        ("gpu_gemm_4096", "fastnet-bias-relu"): 2.1e-3,  # 1.05x: within 10 %
        ("gpu_simpleconv_adam_step_1000", "fastnet-cython"): 0.5,
        ("gpu_simpleconv_adam_step_1000", "torch-cuda"): 2.0e-3,
        ("gpu_simpleconv_adam_step_1000", "fastnet-cupy"): 4.0e-3,  # 125x, but 2x torch's time
        ("gpu_twolayer_sgd_step_100", "torch-cuda"): 1.0e-3,
        ("gpu_twolayer_sgd_step_100", "fastnet-cupy"): 1.2e-3,
        ("gpu_multilayer_adam_step_100", "torch-cuda"): 1.0e-3,
        ("gpu_multilayer_adam_step_100", "fastnet-cupy"): 3.0e-3,
    })
    rows = {what: (measured, target, verdict)
            for what, measured, target, verdict in bench.targets(data)}

    def row(*words):
        [key] = [what for what in rows if all(w in what for w in words)]
        return rows[key]

    assert row("fastnet-cython") == ("125.00x", ">= 20x", "PASS")
    assert row("SimpleConvNet", "batch 1000", "torch-cuda") == ("2.00x", "<= 1.5x", "FAIL")
    assert row("TwoLayerNet", "batch 100:") == ("1.20x", "<= 1.5x", "PASS")
    assert row("TwoLayerNet", "batch 1000") == ("not measured", "<= 1.5x", "MISSING")
    assert row("MultiLayerNet", "batch 100:") == ("3.00x", "-", "info")
    assert row("cupy-matmul time") == ("1.05x", "<= 1.1x", "PASS")
    assert row("f32, cupy-matmul") == ("68719 GFLOP/s", "-", "info")  # 2·4096³ / 2 ms

    path = tmp_path / "gpu.json"
    path.write_text(json.dumps(data))
    assert bench.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "| TwoLayerNet+SGD, batch 100: fastnet-cupy time / torch-cuda time | 1.20x" in out
