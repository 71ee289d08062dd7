"""A missing compiled extension gives a readable message, not a Cython traceback."""

import subprocess
import sys
import textwrap

# Blocking the module in sys.modules makes `import fastnet._openmp` raise
# ImportError exactly as it does in an unbuilt source checkout.
HIDE_EXTENSION = "import sys; sys.modules['fastnet._openmp'] = None\n"


def _run(code):
    """Run `code` in a fresh interpreter whose compiled extension is missing."""
    code = HIDE_EXTENSION + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", code],
                          capture_output=True, text=True)


def test_missing_extension_falls_back_to_numpy_with_one_warning():
    out = _run("""
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import fastnet
            name = fastnet.get_backend()
            fastnet.get_backend()
        print(name, len(caught))
        print(caught[0].message)
    """)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[-2] == "numpy 1"
    assert "compiled kernels are not built" in lines[-1]
    assert "pip install" in lines[-1]


def test_asking_for_cython_without_the_extension_says_how_to_build():
    out = _run("""
        import fastnet
        try:
            fastnet.set_backend("cython")
        except ImportError as exc:
            print("ImportError:", exc)
    """)
    assert out.returncode == 0, out.stderr
    message = out.stdout.strip().splitlines()[-1]
    assert message.startswith("ImportError: the 'cython' backend needs fastnet's compiled kernels")
    assert "pip install" in message


def test_thread_count_without_the_extension_is_one():
    out = _run("import fastnet; print(fastnet.get_num_threads())")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "1"
