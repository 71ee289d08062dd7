"""`fastnet run` / fastnet.scratch.run_script / install(): the book's scripts on fastnet.

The aliasing of `common` and `dataset`, script isolation (argv, cwd,
sys.path, chapter-local modules), the command lines, and the book-style
scripts of tests/scratch/scripts run end to end on the bundled digits.
"""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _scratch_scripts import SCRIPTS, bundled_ok, offline  # noqa: F401  (the fixture)

import fastnet.scratch
from fastnet.scratch import run_script


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def book(tmp_path):
    """A book-like tree whose OWN common/ and dataset/ must lose to fastnet's."""
    root = tmp_path / "book"
    for package in ("common", "dataset"):
        write(root / package / "__init__.py", "raise ImportError('the decoy was imported')\n")
    return root


def run_cli(*args, cwd, env=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          env=env or dict(os.environ), timeout=300)


# ------------------------------------------------------------------ aliasing


def test_install_aliases_every_book_module_and_uninstall_restores():
    sentinel = type(sys)("common")
    sys.modules["common"] = sentinel
    try:
        fastnet.scratch.install()
        assert fastnet.scratch.installed()
        import common.layers
        import dataset.mnist

        from fastnet.scratch.common import layers

        assert common.layers is layers
        assert sys.modules["common"] is fastnet.scratch.common
        assert dataset.mnist.load_mnist is fastnet.scratch.dataset.mnist.load_mnist
        for name in fastnet.scratch.BOOK_MODULES:
            assert sys.modules[name].__name__ == f"fastnet.scratch.{name}"
        fastnet.scratch.install()  # twice is harmless
        fastnet.scratch.uninstall()
        assert sys.modules["common"] is sentinel
        assert "common.layers" not in sys.modules
        assert not fastnet.scratch.installed()
    finally:
        sys.modules.pop("common", None)


def test_run_script_wins_over_the_books_folders_and_isolates(book, capsys, monkeypatch):
    write(book / "ch05" / "helper.py", "WHERE = 'ch05'\n")
    write(book / "ch06" / "helper.py", "WHERE = 'ch06'\n")
    script = """
        import os, sys
        sys.path.append(os.pardir)
        from common.layers import Affine
        from dataset.mnist import load_mnist
        import helper
        print(Affine.__module__, load_mnist.__module__, helper.WHERE)
        print(os.path.basename(os.getcwd()), sys.argv[1:], __name__)
    """
    first = write(book / "ch05" / "script.py", script)
    second = write(book / "ch06" / "script.py", script)
    cwd, argv, path = os.getcwd(), list(sys.argv), list(sys.path)
    run_script(first, ["--epochs", "3"])
    run_script(str(second))
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "fastnet.scratch.common.layers fastnet.datasets.mnist ch05",
        "ch05 ['--epochs', '3'] __main__",
        "fastnet.scratch.common.layers fastnet.datasets.mnist ch06",
        "ch06 [] __main__",
    ]
    assert (os.getcwd(), sys.argv, sys.path) == (cwd, argv, path)
    assert "helper" not in sys.modules


def test_run_script_puts_the_book_names_back_as_they_were(tmp_path, capsys):
    # The aliases stayed installed after the script, so a later `import
    # common` in the same process got fastnet's module instead of the user's.
    script = write(tmp_path / "ch01" / "s.py", """
        from common.layers import Affine
        from dataset.mnist import load_mnist
        print(Affine.__module__)
    """)
    before = {name: sys.modules.get(name) for name in fastnet.scratch.BOOK_MODULES}
    sentinel = sys.modules["common"] = type(sys)("common")
    try:
        run_script(script)
        assert sys.modules["common"] is sentinel
        assert {name: sys.modules.get(name) for name in fastnet.scratch.BOOK_MODULES
                if name != "common"} == {k: v for k, v in before.items() if k != "common"}
        del sys.modules["common"]
        fastnet.scratch.install()  # a notebook's own install() outlives the script
        run_script(script)
        assert fastnet.scratch.installed()
    finally:
        sys.modules.pop("common", None)
    assert capsys.readouterr().out.split() == ["fastnet.scratch.common.layers"] * 2


def test_run_script_sets_a_headless_matplotlib_backend(tmp_path, capsys, monkeypatch):
    script = write(tmp_path / "s.py", "import os\nprint(os.environ['MPLBACKEND'])\n")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    run_script(script)
    monkeypatch.setenv("MPLBACKEND", "svg")  # a user's choice wins
    run_script(script)
    assert capsys.readouterr().out.split() == ["Agg", "svg"]


def test_run_script_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.py"):
        run_script(tmp_path / "no-such.py")
    with pytest.raises(SystemExit) as exc:
        run_script(write(tmp_path / "exit.py", "import sys\nsys.exit(3)\n"))
    assert exc.value.code == 3


# -------------------------------------------------------------- command lines


def test_fastnet_run_and_python_m(book):
    script = write(book / "ch03" / "args.py", """
        import os, sys
        sys.path.append(os.pardir)
        from common.functions import relu
        print(relu([-1, 2]), sys.argv[1:])
        sys.exit(int(sys.argv[-1]))
    """)
    for command in (["-m", "fastnet", "run"], ["-m", "fastnet.scratch"]):
        result = run_cli(*command, str(script), "--lr", "0.1", "0", cwd=book.parent)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "[0 2] ['--lr', '0.1', '0']\n", command
        assert result.stderr == ""
        assert run_cli(*command, str(script), "4", cwd=book.parent).returncode == 4


def test_fastnet_run_missing_script(tmp_path):
    result = run_cli("-m", "fastnet", "run", "missing.py", cwd=tmp_path)
    assert result.returncode == 2 and "no such script: missing.py" in result.stderr


def test_fastnet_run_names_a_missing_plotting_package(tmp_path, monkeypatch, capsys):
    from fastnet import cli

    script = write(tmp_path / "plot.py", "import matplotlib.pyplot as plt\n")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    assert cli.main(["run", str(script)]) == 1
    err = capsys.readouterr().err
    assert "needs 'matplotlib'" in err and "pip install matplotlib" in err
    other = write(tmp_path / "other.py", "import no_such_module_anywhere\n")
    with pytest.raises(ModuleNotFoundError):
        cli.main(["run", str(other)])


def test_offline_script_warns_once_on_one_line_of_message(tmp_path):
    result = run_cli("-m", "fastnet", "run", str(SCRIPTS / "ch05" / "gradient_check.py"),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("BundledDataWarning") == 1
    assert result.stderr.count("\n") == 2  # the message, then the script's line
    # The gradient check itself: backprop agrees with central differences.
    diffs = [float(line.split(":")[1]) for line in result.stdout.split()]
    assert len(diffs) == 4 and max(diffs) < 1e-6, result.stdout


# -------------------------------------------------------- book-style scripts


def run_book_script(relative, capsys, monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    np.random.seed(0)
    run_script(SCRIPTS / relative)
    return capsys.readouterr().out


@bundled_ok
def test_ch03_activations(capsys, monkeypatch):
    out = run_book_script("ch03/activations.py", capsys, monkeypatch).splitlines()
    assert out[0] == "step [0 0 1] i"
    assert out[2] == "relu [0 0 2] int64" and out[1].endswith("float64")
    assert out[3] == "relu list [0. 3.]" and out[4] == "sigmoid scalar 0.5"
    assert out[6] == "Z2 [0.62624937 0.7710107 ]"


def test_ch04_gradient_simplenet(capsys, monkeypatch):
    out = run_book_script("ch04/gradient_simplenet.py", capsys, monkeypatch)
    numbers = np.array([float(v) for v in out.replace("[", " ").replace("]", " ").split()])
    W, dW = numbers[:6].reshape(2, 3), numbers[6:].reshape(2, 3)
    x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])
    z = x @ W
    y = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(dW, np.outer(x, y - t), rtol=1e-5, atol=1e-6)


@bundled_ok
def test_ch05_train_neuralnet(capsys, monkeypatch):
    out = run_book_script("ch05/train_neuralnet.py", capsys, monkeypatch, ITERS=200)
    lines = out.splitlines()
    assert len(lines) == 6  # epochs at steps 0, 40, ..., 160, then the final accuracy
    assert float(lines[-1].split()[-1]) > 0.7, out


@bundled_ok
def test_ch06_optimizer_compare(capsys, monkeypatch):
    out = run_book_script("ch06/optimizer_compare_mnist.py", capsys, monkeypatch, ITERS=101)
    finals = {line.split()[0]: float(line.split(":")[1]) for line in out.splitlines()
              if "smoothed final loss" in line}
    assert set(finals) == {"SGD", "Momentum", "AdaGrad", "Adam"}
    assert finals["Adam"] < finals["SGD"] < 2.4, out


@bundled_ok
def test_ch06_dropout_with_trainer(capsys, monkeypatch):
    out = run_book_script("ch06/overfit_dropout.py", capsys, monkeypatch, EPOCHS=3, TRAIN=200)
    assert out.count("train loss:") == 6 and out.count("=== epoch:") == 3
    assert "=============== Final Test Accuracy ===============\ntest acc:" in out


@bundled_ok
# Without batch norm, the weight scale 1 makes the plain net diverge to NaN,
# which the book's NumPy code (and fastnet.scratch) reports with a RuntimeWarning.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_ch06_batch_norm(capsys, monkeypatch):
    out = run_book_script("ch06/batch_norm_test.py", capsys, monkeypatch, ITERS=11, SCALES=2)
    epochs = [line for line in out.splitlines() if line.startswith("epoch:")]
    assert len(epochs) == 4  # two weight scales, epochs at steps 0 and 10


@bundled_ok
def test_ch07_train_convnet_saves_params_that_load(capsys, monkeypatch, tmp_path):
    params = tmp_path / "params.pkl"
    out = run_book_script("ch07/train_convnet.py", capsys, monkeypatch, EPOCHS=1, TRAIN=300,
                          TEST=200, PARAMS=params)
    assert out.count("train loss:") == 3 and out.endswith("Saved Network Parameters!\n")
    with open(params, "rb") as f:
        saved = pickle.load(f)
    assert sorted(saved) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert saved["W1"].shape == (30, 1, 5, 5) and saved["W1"].dtype == np.float64


@bundled_ok
def test_ch08_train_then_infer_from_params(capsys, monkeypatch, tmp_path):
    params = tmp_path / "deep.pkl"
    run_book_script("ch08/train_deepnet.py", capsys, monkeypatch, EPOCHS=1, TRAIN=100,
                    TEST=100, PARAMS=params)
    out = run_book_script("ch08/misclassified_mnist.py", capsys, monkeypatch, TEST=200,
                          PARAMS=params)
    acc = float(out.split("test accuracy:")[1].split()[0])
    wrong = int(out.split("misclassified:")[1].split()[0])
    assert wrong == round((1 - acc) * 200)


def book_params_file(path, shapes, seed):
    """A params file as the book's save_params writes it: a pickled dict of float64
    arrays, referring to numpy.core like the files pickled by NumPy 1.x."""
    rng = np.random.default_rng(seed)
    params = {key: 0.1 * rng.standard_normal(shape) for key, shape in shapes.items()}
    data = pickle.dumps(params, protocol=2).replace(b"numpy._core", b"numpy.core")
    path.write_bytes(data)
    return params


SIMPLE_SHAPES = {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,),
                 "W3": (100, 10), "b3": (10,)}
DEEP_SHAPES = dict(
    [(f"W{i + 1}", s) for i, s in enumerate([(16, 1, 3, 3), (16, 16, 3, 3), (32, 16, 3, 3),
                                              (32, 32, 3, 3), (64, 32, 3, 3), (64, 64, 3, 3),
                                              (1024, 50), (50, 10)])]
    + [(f"b{i + 1}", (n,)) for i, n in enumerate([16, 16, 32, 32, 64, 64, 50, 10])])


@pytest.mark.parametrize("chapter, module, cls, shapes", [
    ("ch07", "simple_convnet", "SimpleConvNet", SIMPLE_SHAPES),
    ("ch08", "deep_convnet", "DeepConvNet", DEEP_SHAPES)])
def test_book_params_files_load_into_fastnets_networks(tmp_path, chapter, module, cls, shapes):
    """The same file in the chapter's own network (on fastnet.scratch layers)
    and in fastnet.nets' network: the same scores."""
    import fastnet.nets

    path = tmp_path / "params.pkl"
    params = book_params_file(path, shapes, seed=21)
    x = np.random.default_rng(22).random((3, 1, 28, 28)).astype(np.float32)
    engine_net = getattr(fastnet.nets, cls)()
    engine_net.load_params(str(path))
    for key, value in params.items():
        np.testing.assert_array_equal(engine_net.params[key], value)

    fastnet.scratch.install()
    sys.path.insert(0, str(SCRIPTS / chapter))
    try:
        chapter_net = getattr(__import__(module), cls)()
    finally:
        sys.path.remove(str(SCRIPTS / chapter))
        sys.modules.pop(module, None)
    chapter_net.load_params(str(path))
    predict = {"DeepConvNet": lambda net: net.predict(x, train_flg=False)}.get(
        cls, lambda net: net.predict(x))
    np.testing.assert_allclose(predict(engine_net), predict(chapter_net), rtol=1e-10, atol=1e-12)
