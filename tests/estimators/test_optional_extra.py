"""scikit-learn is an extra: fastnet imports without it, fastnet.sklearn says what to install.

Runs in a fresh interpreter whose import system refuses scikit-learn (a
meta-path finder raising ImportError), as on a machine where it was never
installed; runs whether or not scikit-learn is installed here.
"""

import subprocess
import sys
import textwrap

import pytest

BLOCK_SKLEARN = textwrap.dedent("""
    import sys

    class NoSklearn:
        def find_spec(self, name, path=None, target=None):
            if name == "sklearn" or name.startswith("sklearn."):
                raise ImportError(f"No module named {name!r} (hidden by the test)")
            return None

    sys.meta_path.insert(0, NoSklearn())
""")


def _run(code):
    return subprocess.run([sys.executable, "-c", BLOCK_SKLEARN + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120)


def test_fastnet_and_its_front_ends_import_without_sklearn():
    done = _run("""
        import fastnet, fastnet.keras, fastnet.nets, fastnet.cli
        import numpy as np
        from fastnet.nets import TwoLayerNet
        net = TwoLayerNet(4, 3, 2, dtype=np.float32)
        print("ok", net.predict(np.ones((1, 4), np.float32)).shape,
              "sklearn" in sys.modules)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "(1,", "2)", "False"]


def test_fastnet_sklearn_without_sklearn_names_the_extra():
    done = _run("""
        try:
            import fastnet.sklearn
        except ImportError as exc:
            print(exc)
    """)
    assert done.returncode == 0, done.stderr
    assert "scikit-learn" in done.stdout and 'pip install "fastnet[sklearn]"' in done.stdout


def test_old_sklearn_is_refused_with_the_version(monkeypatch):
    pytest.importorskip("sklearn")  # importing fastnet.sklearn at all needs it
    from fastnet.sklearn import _requirements

    fake = type(sys)("sklearn")
    fake.__version__ = "1.3.2"
    monkeypatch.setitem(sys.modules, "sklearn", fake)
    try:
        _requirements.require_sklearn()
    except ImportError as exc:
        assert ">= 1.6" in str(exc) and "1.3.2" in str(exc)
    else:
        raise AssertionError("an old scikit-learn was accepted")
