"""A real server on a loopback port for each test module, and a model trained for it.

The serve tests need the "serve" extra (Starlette, uvicorn, Pillow); without
it they skip, saying so. The server is uvicorn in a thread of the test
process, on a socket bound here to 127.0.0.1 port 0 (the system picks a
free port, so parallel runs never collide), stopped when the module ends.
"""

import json
import socket
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

pytest.importorskip("starlette", reason='the "serve" extra is not installed (starlette)')
pytest.importorskip("uvicorn", reason='the "serve" extra is not installed (uvicorn)')
pytest.importorskip("PIL", reason='the "serve" extra is not installed (Pillow)')

import uvicorn  # noqa: E402

from fastnet import datasets, optimizers  # noqa: E402
from fastnet.nets import MultiLayerNet  # noqa: E402
from fastnet.serve import ServedModel, create_app  # noqa: E402


class RunningServer:
    """uvicorn serving `app` in a thread until stop(); `url` is its address."""

    def __init__(self, app):
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.thread.start()
        for _ in range(500):  # up within seconds; a hang fails the test, not the suite
            if self.server.started:
                break
            self.thread.join(0.01)
        if not self.server.started:
            raise RuntimeError("the test server did not start")

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def request(url, body=None, content_type="application/json", method=None):
    """(status, parsed JSON or text) of one HTTP request; 4xx/5xx are answers, not errors."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    req = urllib.request.Request(url, data=body, method=method or ("POST" if body is not None
                                                                  else "GET"))
    if body is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=30) as reply:
            status, text, kind = reply.status, reply.read(), reply.headers.get_content_type()
    except urllib.error.HTTPError as err:
        status, text, kind = err.code, err.read(), err.headers.get_content_type()
    return status, json.loads(text) if kind == "application/json" else text.decode()


@pytest.fixture(scope="session")
def digits():
    """The bundled digits' test set: (x (N, 784) float32 in [0, 1], labels)."""
    _, (x_test, t_test) = datasets.load_mnist(source="bundled")
    return x_test.astype(np.float32), t_test


@pytest.fixture(scope="session")
def model_file(tmp_path_factory):
    """A 784-64-10 network trained a few epochs on the bundled digits, saved as .fnet."""
    (x, t), _ = datasets.load_mnist(source="bundled")
    x = x.astype(np.float32)
    state = np.random.get_state()
    np.random.seed(0)
    net = MultiLayerNet(784, [64], 10, dtype=np.float32)
    np.random.set_state(state)
    adam = optimizers.Adam(lr=0.003)
    order = np.random.default_rng(0).permutation
    for _epoch in range(8):
        for batch in order(len(t)).reshape(-1, 100):
            adam.update(net.params, net.gradient(x[batch], t[batch]))
    path = tmp_path_factory.mktemp("models") / "digits.fnet"
    net.save(path)
    return path


def start(model, **settings):
    return RunningServer(create_app(model, **settings))


@pytest.fixture(scope="module")
def server(model_file):
    running = start(ServedModel.load(model_file))
    yield running
    running.stop()
