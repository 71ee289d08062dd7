"""The scripts in examples/ run, in their --quick mode, as a user would start them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("script, expected", [
    ("mnist_report.py", "confusion matrix saved to"),
    ("boston_kfold.py", "mean validation MAE"),
    ("random_search.py", "Best-1 (val acc:"),
])
def test_example_runs_in_quick_mode(script, expected, tmp_path):
    if script == "mnist_report.py":
        pytest.importorskip("matplotlib")
    path = EXAMPLES / script
    if not path.exists():
        pytest.skip(f"{path} is not here (the tests run outside the source tree)")
    env = {**os.environ, "FASTNET_OFFLINE": "1"}
    done = subprocess.run([sys.executable, str(path), "--quick"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout, done.stdout
