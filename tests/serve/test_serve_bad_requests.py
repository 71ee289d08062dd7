"""Bad input never hurts the server: each mistake is a 4xx naming it, and serving goes on."""

import io
import json
import logging
import os
import socket
import time
import zlib

import numpy as np
import pytest
from _drawing import png, vertical_stroke
from _forms import BOUNDARY, CONTENT_TYPE, form, part
from _models import uniform_net
from _server import request, start
from PIL import Image

import fastnet.keras as keras
from fastnet.nets import MultiLayerNet
from fastnet.serve import ServedModel

ROW = [0.0] * 784
FORM = form(part("image", png(vertical_stroke()), "d.png"))  # a good upload, as curl -F sends it


def image_bytes(fmt, size=(8, 8), mode="L"):
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, fmt)
    return buf.getvalue()


def truncated_png():
    data = png(vertical_stroke())
    return data[: len(data) // 2]


def png_declaring(width, height):
    """A 1×1 PNG whose header chunk (CRC and all) declares width × height pixels."""
    data = png(Image.new("1", (1, 1)))
    at = data.index(b"IHDR")
    chunk = b"IHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") + data[at + 12:at + 17]
    return data[:at] + chunk + zlib.crc32(chunk).to_bytes(4, "big") + data[at + 21:]


# (path, body, content type, expected status, a word of the error)
BAD = [
    ("/predict", b"{not json", "application/json", 400, "not valid JSON"),
    ("/predict", b"\xff\xfe\x00", "application/json", 400, "UTF-8"),
    ("/predict", b"[1, 2, 3]", "application/json", 400, "instances"),
    ("/predict", {"rows": [ROW]}, "application/json", 400, "instances"),
    ("/predict", {"instances": "abc"}, "application/json", 400, "list of rows"),
    ("/predict", {"instances": []}, "application/json", 400, "empty"),
    ("/predict", {"instances": [[1, 2, 3]]}, "application/json", 422, "784 numbers"),
    ("/predict", {"instances": [1.0] * 5}, "application/json", 422, "single number"),
    ("/predict", {"instances": [ROW, ROW[:-1]]}, "application/json", 400, "same shape"),
    ("/predict", {"instances": [["x"] * 784]}, "application/json", 400, "numbers only"),
    ("/predict", {"instances": [[True] * 784]}, "application/json", 400, "numbers only"),
    ("/predict", {"instances": [[None] * 784]}, "application/json", 400, "numbers only"),
    ("/predict", {"instances": [[{"a": 1}] * 784]}, "application/json", 400, "numbers only"),
    ("/predict", {"instances": [[10**400] + ROW[1:]]}, "application/json", 400,
     "numbers only"),
    ("/predict", b'{"instances": [[NaN' + b", 0" * 783 + b"]]}", "application/json", 422,
     "NaN"),
    ("/predict", b'{"instances": [[Infinity' + b", 0" * 783 + b"]]}", "application/json",
     422, "infinite"),
    ("/predict", {"instances": [[1e309] + ROW[1:]]}, "application/json", 422, "infinite"),
    ("/predict", {"instances": [ROW] * 9}, "application/json", 413, "limit of 8"),
    ("/predict", b"[" * 50000 + b"]" * 50000, "application/json", 400, "nested"),
    ("/predict", b" " * 300_000, "application/json", 413, "limit of"),
    ("/predict", {"instances": [[[[0.0] * 28] * 28] * 2]}, "application/json", 422, "shape"),
    # Finite in float64, inf in the model's float32 (a 500 once, from the softmax kernel)
    ("/predict", {"instances": [[1e39] + ROW[1:]]}, "application/json", 422, "too large"),
    ("/predict", {"instances": [[-1e300] + ROW[1:]]}, "application/json", 422, "too large"),
    # float32 numbers whose products overflow inside the network
    ("/predict", {"instances": [[3e38] * 784]}, "application/json", 422, "overflow"),
    # Deeper than NumPy's 64 dimensions: once misread as rows of different shapes
    ("/predict", b'{"instances": ' + b"[" * 900 + b"0" + b"]" * 900 + b"}",
     "application/json", 422, "nested too deeply"),
    ("/predict/image", b"", "image/png", 415, "not a PNG or JPEG"),
    ("/predict/image", b"hello, world", "image/png", 415, "not a PNG or JPEG"),
    ("/predict/image", image_bytes("GIF"), "image/gif", 415, "not a PNG or JPEG"),
    ("/predict/image", image_bytes("BMP"), "image/bmp", 415, "not a PNG or JPEG"),
    ("/predict/image", truncated_png(), "image/png", 400, "cannot be decoded"),
    ("/predict/image", png(Image.new("L", (40, 40), 255)), "image/png", 422, "blank"),
    ("/predict/image", png_declaring(5000, 5000), "image/png", 413, "pixels"),
    ("/predict/image", png_declaring(60000, 60000), "image/png", 413, "pixels"),
    ("/predict/image", os.urandom(1000), "image/png", 415, "not a PNG or JPEG"),
    ("/nowhere", {"instances": [ROW]}, "application/json", 404, "Not Found"),
    # multipart/form-data uploads (curl -F, browsers' forms)
    ("/predict/image", FORM, "multipart/form-data", 400, "Missing boundary"),
    ("/predict/image", f"hello, world\r\n--{BOUNDARY}--\r\n".encode(), CONTENT_TYPE, 400,
     "Expected boundary"),
    ("/predict/image", form(), CONTENT_TYPE, 400, "holds no file"),
    ("/predict/image", b"", CONTENT_TYPE, 400, "closing boundary is missing"),
    ("/predict/image", FORM[:len(FORM) // 2], CONTENT_TYPE, 400, "cut short"),
    ("/predict/image", FORM[:-4], CONTENT_TYPE, 400, "cut short"),
    ("/predict/image", form(part("a", png(vertical_stroke()), "a.png"),
                            part("b", png(vertical_stroke()), "b.png")),
     CONTENT_TYPE, 400, "Too many files"),
    ("/predict/image", form(part("image", png(vertical_stroke()))), CONTENT_TYPE, 400,
     "Too many fields"),
    ("/predict/image", form(part("x", b"1"), part("image", png(vertical_stroke()), "d.png")),
     CONTENT_TYPE, 400, "Too many fields"),
    ("/predict/image", f"--{BOUNDARY}\r\nContent-Type: image/png\r\n\r\n1\r\n"
     f"--{BOUNDARY}--\r\n".encode(), CONTENT_TYPE, 400, '"name" must be provided'),
    ("/predict/image", f"--{BOUNDARY}\r\nnonsense\r\n\r\n1\r\n--{BOUNDARY}--\r\n".encode(),
     CONTENT_TYPE, 400, "invalid character"),
    ("/predict/image", form(part("image", b"hello", "d.png")), CONTENT_TYPE, 415,
     "not a PNG or JPEG"),
    ("/predict/image", form(part("image", b"x" * 300_000, "d.png")), CONTENT_TYPE, 413,
     "limit of"),
]


@pytest.fixture(scope="module")
def strict_server(model_file):
    running = start(ServedModel.load(model_file), max_rows=8, max_body_bytes=200_000)
    yield running
    running.stop()


@pytest.mark.parametrize("path, body, kind, status, word", BAD,
                         ids=[f"{i}-{case[4]}" for i, case in enumerate(BAD)])
def test_each_mistake_is_a_4xx_naming_it(strict_server, path, body, kind, status, word):
    got, answer = request(strict_server.url + path, body, kind)
    assert got == status, answer
    assert word in answer["error"], answer


def test_methods_and_declared_sizes(strict_server):
    assert request(strict_server.url + "/predict")[0] == 405  # GET of a POST route
    status, answer = request(strict_server.url + "/predict", b'{"instances": [[0]]}',
                             method="PUT")
    assert status == 405 and "error" in answer


def rss_mib():
    """This process's resident memory (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    except OSError:
        return None


def test_a_thousand_bad_requests_among_good_ones(strict_server, model_file, digits):
    """The issue's robustness target: 1,000+ malformed requests of every kind in BAD,
    in a shuffled order, a valid one after each; every bad one a 4xx naming its problem,
    every valid one the network's own answer, and memory growth under 20 MB. The
    server runs in this process, so the RSS measured is the server's and the client's."""
    x, _ = digits
    model = ServedModel.load(model_file)
    rounds = -(-1000 // len(BAD))
    order = np.random.default_rng(0)
    request(strict_server.url + "/predict", {"instances": x[:1].tolist()})  # warm up
    before = rss_mib()
    for n in range(rounds * len(BAD)):
        path, body, kind, status, word = BAD[order.integers(len(BAD)) if n >= len(BAD)
                                             else n]
        got, answer = request(strict_server.url + path, body, kind)
        assert (got, word in answer["error"]) == (status, True), (path, answer)
        rows = x[n % len(x):n % len(x) + 1 + n % 3]
        got, answer = request(strict_server.url + "/predict", {"instances": rows.tolist()})
        probabilities = np.array([p["probabilities"] for p in answer["predictions"]])
        np.testing.assert_allclose(probabilities, model.forward(rows), atol=1e-6)
        assert [p["class"] for p in answer["predictions"]] == [
            str(c) for c in probabilities.argmax(axis=1)]
    growth = None if before is None else rss_mib() - before
    assert growth is None or growth < 20, f"RSS grew {growth:.1f} MiB"
    assert request(strict_server.url + "/health") == (200, {"status": "ok"})


def test_a_model_file_that_is_not_one_stops_start_up(tmp_path):
    path = tmp_path / "evil.fnet"
    path.write_bytes(json.dumps({"instances": 1}).encode())
    with pytest.raises(ValueError, match="not a .npz archive"):
        ServedModel.load(path)
    np.savez(tmp_path / "foreign.npz", W1=np.zeros(3))
    with pytest.raises(ValueError, match="no config"):
        ServedModel.load(tmp_path / "foreign.npz")


@pytest.mark.parametrize("dtype, weight, value", [(np.float32, 1.0, 1e38),
                                                  (np.float64, 1e10, 1e300)])
def test_inputs_that_overflow_inside_the_network_are_422(tmp_path, dtype, weight, value):
    # Regression: values the dtype holds, whose products do not, made the softmax
    # kernel raise a ValueError: an HTTP 500.
    running = start(uniform_net(tmp_path, dtype, weight))
    try:
        status, answer = request(running.url + "/predict", {"instances": [[value] * 4]})
        after = request(running.url + "/predict", {"instances": [[1.0] * 4]})[0]
    finally:
        running.stop()
    assert status == 422 and "overflow" in answer["error"], answer
    assert after == 200


def keras_model_with_ones(path, activation):
    np.random.seed(3)
    model = keras.Sequential([keras.layers.Dense(2, activation=activation, input_shape=(4,))])
    model.set_weights([np.ones_like(w) for w in model.get_weights()])
    model.save(path)
    return ServedModel.load(path)


@pytest.mark.parametrize("activation", ["softmax", None])
def test_a_keras_model_whose_outputs_overflow_answers_422(tmp_path, activation):
    # Regression: the classifier's softmax raised a ValueError, and the regression
    # model's inf outputs could not be written as JSON: both an HTTP 500.
    running = start(keras_model_with_ones(tmp_path / "ones.keras", activation))
    try:
        status, answer = request(running.url + "/predict", {"instances": [[1e38] * 4]})
        after = request(running.url + "/predict", {"instances": [[1.0] * 4]})[0]
    finally:
        running.stop()
    assert status == 422 and "overflow" in answer["error"], answer
    assert after == 200


def test_a_model_with_nan_weights_is_refused_at_start_up(tmp_path):
    # Regression: it loaded, and the server answered every request with a 500.
    net = MultiLayerNet(4, [3], 2, dtype=np.float32)
    net.params["b2"][1] = np.nan
    net.save(tmp_path / "diverged.fnet")
    with pytest.raises(ValueError, match=r"diverged\.fnet: the parameter b2 holds 1 NaN"):
        ServedModel.load(tmp_path / "diverged.fnet")
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,)), keras.layers.Dense(2)])
    weights = model.get_weights()
    weights[2][0, 0] = np.inf  # the second layer's kernel
    model.set_weights(weights)
    model.save(tmp_path / "diverged.keras")
    with pytest.raises(ValueError, match=r"diverged\.keras: weight 0 of layer 'dense_\d+' "
                                         r"holds 1 NaN or infinite"):
        ServedModel.load(tmp_path / "diverged.keras")


class Records(logging.Handler):
    """The log records a logger hands on, kept for the test to read."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def wait_for(condition, what):
    for _ in range(3000):  # a bound, so that a broken server fails the test, not hangs it
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_client_gone_mid_body_is_no_server_error(strict_server):
    # Regression: Starlette's ClientDisconnect escaped the route, and uvicorn logged
    # "Exception in ASGI application" with its traceback.
    records = Records()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(records)
    tasks = strict_server.server.server_state.tasks  # the requests uvicorn is running
    try:
        port = int(strict_server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(b"POST /predict HTTP/1.1\r\nHost: test\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 100\r\n"
                           b'\r\n{"inst')
            wait_for(lambda: len(tasks) == 1, "the server to start on the request")
        wait_for(lambda: not tasks, "the server to finish the request")
    finally:
        logger.removeHandler(records)
    errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert request(strict_server.url + "/health") == (200, {"status": "ok"})
