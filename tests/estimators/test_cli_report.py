"""`fastnet train --report`: scikit-learn's classification report and a confusion-matrix plot."""

import re
import sys

import pytest

from fastnet import cli


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path / "empty-cache"))


def test_report_prints_per_class_scores_and_saves_the_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "cm.png"
    status = cli.main(["train", "--epochs", "1", "--hidden", "30", "--no-compare",
                       "--report", str(plot)])
    out, _ = capsys.readouterr()
    assert status == 0, out
    # One row per digit (precision, recall, F1, support 100) and the averages.
    rows = re.findall(r"^\s+(\d)\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+100$", out, re.MULTILINE)
    assert rows == [str(d) for d in range(10)], out
    assert "macro avg" in out and "weighted avg" in out
    assert f"confusion matrix saved to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The report's accuracy is the one the last epoch printed.
    epoch_acc = float(re.findall(r"test acc ([0-9.]+)", out)[-1])
    report_acc = float(re.search(r"accuracy\s+([0-9.]+)\s+1000", out).group(1))
    assert report_acc == pytest.approx(epoch_acc, abs=1e-4)


@pytest.mark.parametrize("hidden, needs", [("sklearn", "scikit-learn"),
                                           ("matplotlib", "matplotlib")])
def test_report_without_its_packages_is_a_clear_error_before_training(
        capsys, monkeypatch, hidden, needs):
    monkeypatch.setitem(sys.modules, hidden, None)  # as if not installed
    if hidden == "sklearn":
        monkeypatch.delitem(sys.modules, "fastnet.sklearn", raising=False)
    monkeypatch.setattr("importlib.util.find_spec",
                        lambda name, *a: None if name == hidden else object())
    status = cli.main(["train", "--epochs", "1", "--no-compare", "--report"])
    out, err = capsys.readouterr()
    assert status == 2
    assert needs in err and "pip install" in err
    assert "epoch" not in out  # nothing trained
