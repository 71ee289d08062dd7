"""The `fastnet` command line: `fastnet train`, its options and errors, the progress bar."""

import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import fastnet
from fastnet import cli
from fastnet.progress import ProgressBar


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    # The default data is bundled; make sure no test can reach the network anyway.
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path / "empty-cache"))


def run(capsys, *argv):
    # `fastnet train` runs on 1 thread unless --threads says otherwise.
    status = cli.main(["train", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def accuracies_in(out):
    return [float(v) for v in re.findall(r"test acc ([0-9.]+)", out)]


def losses(out):
    return [float(v) for v in re.findall(r"loss ([0-9.]+)", out)]


def test_one_epoch_in_process(capsys):
    status, out, _ = run(capsys, "--epochs", "1", "--no-compare")
    assert status == 0
    assert "MultiLayerNet 784-100-10" in out and "4000 train / 1000 test" in out
    assert re.search(r"epoch 1/1  loss [0-9.]+  train acc [0-9.]+  test acc [0-9.]+", out)
    assert "\r" not in out  # not a terminal: plain lines only
    assert "numpy reference" not in out


def test_default_hyperparameters_reach_90_percent(capsys):
    # The documented promise of `fastnet train` with no arguments (minus the
    # NumPy timing, which changes no number).
    status, out, _ = run(capsys, "--no-compare")
    assert status == 0
    accuracies = accuracies_in(out)
    assert len(accuracies) == 15
    assert accuracies[-1] >= 0.90, out


def test_compare_runs_the_same_training_on_numpy(capsys):
    status, out, _ = run(capsys, "--epochs", "2", "--hidden", "20")
    assert status == 0
    backend = fastnet.get_backend()
    if backend == "numpy":
        assert "no comparison" in out
        return
    match = re.search(
        rf"fastnet \({backend}, float32\): ([0-9.]+) s; numpy reference: ([0-9.]+) s; "
        r"speed-up ([0-9.]+)(×|x)",
        out,
    )
    assert match, out
    fast, slow, ratio = (float(match.group(i)) for i in (1, 2, 3))
    assert ratio == pytest.approx(slow / fast, rel=0.1, abs=0.06)
    book = re.search(r"the book's NumPy layers \(float64\): ([0-9.]+) s; speed-up ([0-9.]+)(×|x)",
                     out)
    assert book, out
    assert float(book.group(2)) == pytest.approx(float(book.group(1)) / fast, rel=0.1, abs=0.06)
    # Same seed, same batches: the reference and the book's layers end at
    # (nearly) the same accuracy as fastnet's epoch 2.
    accuracy = accuracies_in(out)
    assert len(accuracy) == 4, out
    assert max(accuracy[1:]) - min(accuracy[1:]) <= 0.01


def test_an_activation_the_books_net_lacks_says_so(capsys):
    status, out, _ = run(capsys, "--epochs", "1", "--hidden", "8", "--activation", "tanh")
    assert status == 0
    if fastnet.get_backend() != "numpy":
        assert "the book's MultiLayerNet has no tanh activation" in out


def test_numpy_backend_skips_the_comparison(capsys):
    status, out, _ = run(capsys, "--epochs", "1", "--backend", "numpy", "--hidden", "10")
    assert status == 0
    assert "backend numpy" in out and "no comparison" in out
    assert fastnet.get_backend() != "numpy" or os.environ.get("FASTNET_BACKEND") == "numpy"


def test_same_seed_same_run_other_seed_other_run(capsys):
    args = ("--epochs", "2", "--hidden", "16", "--no-compare", "--dtype", "float64")
    first = losses(run(capsys, *args, "--seed", "3")[1])
    again = losses(run(capsys, *args, "--seed", "3")[1])
    other = losses(run(capsys, *args, "--seed", "4")[1])
    assert first == again
    assert first != other


@pytest.mark.parametrize("name", sorted(cli.OPTIMIZERS))
def test_every_optimizer_learns(capsys, name):
    status, out, _ = run(capsys, "--epochs", "2", "--optimizer", name, "--no-compare")
    assert status == 0
    assert f"{name} lr={cli.DEFAULT_LR[name]:g}" in out
    loss = losses(out)
    assert loss[1] < loss[0]
    assert accuracies_in(out)[-1] > 0.8  # chance is 0.1


def test_options_reach_the_run(capsys):
    threads = fastnet.get_num_threads()
    status, out, _ = run(capsys, "--epochs", "1", "--hidden", "30", "20", "--batch-size", "64",
                         "--lr", "0.01", "--optimizer", "sgd", "--dtype", "float64",
                         "--threads", "1", "--seed", "7", "--no-compare")
    assert status == 0
    assert "MultiLayerNet 784-30-20-10" in out and "sgd lr=0.01" in out
    assert "batch 64" in out and "float64" in out and "1 thread(s)" in out
    assert fastnet.get_num_threads() == threads  # restored afterwards


def test_full_data_offline_is_a_clean_error(capsys):
    status, out, err = run(capsys, "--epochs", "1", "--data", "full", "--no-compare")
    assert status == 1
    assert "cannot load MNIST" in err and "FASTNET_OFFLINE" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "required"),
        (["fly"], "invalid choice"),
        (["train", "--epochs", "0"], "--epochs: must be at least 1"),
        (["train", "--epochs", "two"], "--epochs: expected a whole number"),
        (["train", "--batch-size", "-5"], "--batch-size: must be at least 1"),
        (["train", "--hidden"], "--hidden: expected at least one argument"),
        (["train", "--hidden", "100", "0"], "--hidden: must be at least 1"),
        (["train", "--optimizer", "lbfgs"], "--optimizer: invalid choice"),
        (["train", "--lr", "-0.1"], "--lr: must be a positive finite number"),
        (["train", "--lr", "nan"], "--lr: must be a positive finite number"),
        (["train", "--dtype", "float16"], "--dtype: invalid choice"),
        (["train", "--backend", "tpu"], "--backend: invalid choice"),
        (["train", "--threads", "0"], "--threads: must be at least 1"),
        # was a traceback from set_num_threads after the parser had accepted it
        (["train", "--threads", "100000"], "--threads: must be at most"),
        (["train", "--data", "web"], "--data: invalid choice"),
        # were NumPy's "Seed must be between 0 and 2**32 - 1" traceback
        (["train", "--seed", "-1"], "--seed: must be in 0..4294967295, got -1"),
        (["train", "--seed", "99999999999"], "--seed: must be in 0..4294967295"),
        (["train", "--seed", "1.5"], "--seed: expected a whole number"),
        # 99999 listened on 99999 mod 65536, 65536 on a random port, -5 was a socket error
        (["serve", "m.fnet", "--port", "99999"], "--port: must be in 0..65535, got 99999"),
        (["serve", "m.fnet", "--port", "65536"], "--port: must be in 0..65535"),
        (["serve", "m.fnet", "--port", "-5"], "--port: must be in 0..65535"),
        # inf made every /predict wait forever; NaN and negatives were taken silently
        (["serve", "m.fnet", "--batch-window-ms", "inf"],
         "--batch-window-ms: must be a finite number >= 0, got inf"),
        (["serve", "m.fnet", "--batch-window-ms", "nan"], "--batch-window-ms: must be a finite"),
        (["serve", "m.fnet", "--batch-window-ms", "-1"], "--batch-window-ms: must be a finite"),
        (["serve", "m.fnet", "--batch-window-ms", "soon"],
         "--batch-window-ms: expected a number"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_argument_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--save", "--report"])
@pytest.mark.parametrize("where, message", [
    ("missing/dir/out.file", "no directory .*missing.dir to write out.file in"),
    (".", "is a directory; give a file name"),
    ("", "an empty path"),
])
def test_unwritable_output_paths_are_refused_before_training(
        capsys, tmp_path, option, where, message):
    # Were tracebacks from save or savefig after the whole training had run.
    path = str(tmp_path / where) if where else where
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--epochs", "1", "--no-compare", option, path])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert re.search(f"argument {option}: .*{message}", err), err
    assert "epoch" not in out  # nothing trained


def test_a_read_only_output_directory_is_refused_before_training(capsys, tmp_path, monkeypatch):
    # Permissions do not bind root (the test may run as root): os.access says "no" here.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(SystemExit):
        cli.main(["train", "--epochs", "1", "--save", str(tmp_path / "net.fnet")])
    out, err = capsys.readouterr()
    assert f"argument --save: directory {tmp_path} is not writable" in err
    assert "epoch" not in out


def test_run_without_a_script_asks_for_the_script_alone(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: SCRIPT.py\n" in err  # not "..., ARGS"


def test_unavailable_backend_is_an_argument_error(capsys, monkeypatch):
    def refuse(name):
        raise ImportError(f"{name} is not installed")

    monkeypatch.setattr(cli, "load", refuse)
    with pytest.raises(SystemExit) as exc:
        cli.main(["train", "--backend", "cupy"])
    assert exc.value.code == 2
    assert "backend 'cupy' is not available here" in capsys.readouterr().err


def test_python_dash_m_fastnet(tmp_path):
    env = dict(os.environ, FASTNET_OFFLINE="1", FASTNET_DATA=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "fastnet", "train", "--epochs", "1", "--no-compare",
         "--threads", "1"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"epoch 1/1  loss .* test acc 0\.[0-9]+", result.stdout)
    assert result.stderr == ""


# --- the progress bar ------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_pipe_writes_only_summaries():
    stream = io.StringIO()
    bar = ProgressBar(5, "epoch 1/2", stream=stream)
    for _ in range(5):
        bar.update()
    bar.finish("epoch 1/2  done")
    bare = ProgressBar(3, "epoch 2/2", stream=stream)
    bare.update(3)
    bare.finish()
    assert stream.getvalue() == "epoch 1/2  done\nepoch 2/2 [" + "#" * 30 + "] 3/3\n"


def test_progress_bar_on_a_terminal_redraws_in_place():
    stream = FakeTerminal()
    bar = ProgressBar(4, "e", stream=stream, width=4, min_interval=0)
    for _ in range(4):
        bar.update()
    bar.finish("ok")
    frames = stream.getvalue().split("\r")[1:]
    assert frames[:4] == ["e [#---] 1/4", "e [##--] 2/4", "e [###-] 3/4", "e [####] 4/4"]
    # The summary overwrites the whole bar: padded to its length, then a newline.
    assert frames[4] == "ok" + " " * (len("e [####] 4/4") - 2) + "\n"


def test_progress_bar_throttles_and_clamps():
    stream = FakeTerminal()
    bar = ProgressBar(1000, "e", stream=stream, min_interval=3600)
    for _ in range(1200):
        bar.update()
    assert bar.count == 1000
    # First draw, then nothing until the last step (which always draws).
    assert stream.getvalue().count("\r") == 2


def test_progress_bar_zero_steps():
    stream = io.StringIO()
    bar = ProgressBar(0, "empty", stream=stream)
    bar.update()
    bar.finish()
    assert stream.getvalue() == "empty [" + "#" * 30 + "] 0/0\n"


def test_accuracy_parsing_helper_sees_every_epoch():
    # Guards the helpers above: a format change in the CLI must not make the
    # 90 % test vacuous by matching nothing.
    sample = "epoch 1/2  loss 1.0  train acc 0.5  test acc 0.4\nepoch 2/2  loss 0.5  " \
             "train acc 0.9  test acc 0.91\n"
    assert accuracies_in(sample) == [0.4, 0.91]
    assert losses(sample) == [1.0, 0.5]
    assert np.isclose(sum(losses(sample)), 1.5)


def test_numerical_gradient_training(capsys):
    # Chapter 4's program from the command line: central differences, progress bar, no
    # comparison (the NumPy reference of this training is the book's loop: hours).
    status, out, _ = run(capsys, "--gradient", "numerical", "--epochs", "1", "--hidden", "5",
                         "--activation", "sigmoid", "--optimizer", "sgd", "--lr", "0.5",
                         "--dtype", "float64")
    assert status == 0
    assert "(sigmoid), numerical gradients" in out and "numpy reference" not in out
    assert accuracies_in(out)[0] > 0.3, out
