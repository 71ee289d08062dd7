"""What the tests of the book's scripts share (test_scratch_runner.py,
test_scratch_float32.py): where the scripts are, and running them offline.

A test module uses the fixture by importing it:
`from _scratch_scripts import offline  # noqa: F401`.
"""

from pathlib import Path

import pytest

import fastnet.scratch

SCRIPTS = Path(__file__).parent / "scripts"
# The book's scripts load MNIST; offline, fastnet falls back to its bundled
# digits with a BundledDataWarning (checked once in test_scratch_runner.py,
# ignored elsewhere).
bundled_ok = pytest.mark.filterwarnings("ignore::fastnet.datasets.BundledDataWarning")


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    yield
    fastnet.scratch.uninstall()
