"""`fastnet train --save` and `fastnet serve`: the commands a learner types."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np

import fastnet
from fastnet import cli
from fastnet.nets import MultiLayerNet

HIDE_EXTRA = "import sys; sys.modules['uvicorn'] = None; "


def python(code, **env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_train_save_writes_a_loadable_network(tmp_path, capsys, monkeypatch, digits):
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    path = tmp_path / "digits.fnet"
    status = cli.main(["train", "--epochs", "1", "--hidden", "16", "--no-compare",
                       "--save", str(path)])
    assert status == 0 and f"saved the network to {path}" in capsys.readouterr().out
    net = fastnet.load(path)
    x, t = digits
    assert net.input_shape == (784,) and net.classes == [str(i) for i in range(10)]
    assert np.mean(net.predict(x).argmax(axis=1) == t) > 0.5


def test_without_the_extra_fastnet_imports_and_serve_names_it(tmp_path):
    result = python(HIDE_EXTRA + "import fastnet, fastnet.nets, fastnet.cli; "
                    "sys.exit(fastnet.cli.main(['serve', 'x.fnet']))")
    assert result.returncode == 2, result.stderr
    assert 'pip install "fastnet[serve]"' in result.stderr and "uvicorn" in result.stderr


def test_a_bad_model_file_stops_the_command(tmp_path, capsys):
    path = tmp_path / "bad.fnet"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["serve", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"cannot serve {path}" in err and "not a .npz archive" in err


def test_a_model_with_a_nan_weight_stops_the_command(tmp_path, capsys, monkeypatch):
    # Regression: the server started, then answered every request with a 500.
    from fastnet.serve import server

    started = []
    monkeypatch.setattr(server.uvicorn, "run", lambda *a, **k: started.append(a))
    net = MultiLayerNet(4, [3], 2)
    net.params["W1"][0, 0] = np.nan
    path = tmp_path / "diverged.fnet"
    net.save(path)
    assert cli.main(["serve", str(path)]) == 1 and started == []
    err = capsys.readouterr().err
    assert f"cannot serve {path}" in err and "the parameter W1 holds 1 NaN" in err, err


def test_fastnet_serve_answers_until_stopped(model_file):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "fastnet", "serve", str(model_file),
                               "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/model", timeout=5) as r:
                    meta = json.loads(r.read())
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        else:
            raise AssertionError("fastnet serve did not answer within 60 s")
        assert meta["file"] == "digits.fnet" and meta["input_shape"] == [784]
    finally:
        server.terminate()
        server.wait(30)
        server.stderr.close()
