"""Fixtures of the serve tests: a model trained for them and a server for each module.

The serve tests need the "serve" extra (Starlette, uvicorn, Pillow,
python-multipart); without it they skip, saying so. _server.py starts and
stops the real server.
"""

import numpy as np
import pytest

pytest.importorskip("starlette", reason='the "serve" extra is not installed (starlette)')
pytest.importorskip("uvicorn", reason='the "serve" extra is not installed (uvicorn)')
pytest.importorskip("PIL", reason='the "serve" extra is not installed (Pillow)')
pytest.importorskip("python_multipart",
                    reason='the "serve" extra is not installed (python-multipart)')

from _server import start  # noqa: E402

from fastnet import datasets, optimizers  # noqa: E402
from fastnet.nets import MultiLayerNet  # noqa: E402
from fastnet.serve import ServedModel  # noqa: E402


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


@pytest.fixture(scope="module")
def server(model_file):
    running = start(ServedModel.load(model_file))
    yield running
    running.stop()
