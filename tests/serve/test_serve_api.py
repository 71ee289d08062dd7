"""The API of `fastnet serve` against a real server on loopback: what a client sees."""

import io

import numpy as np
import pytest
from _drawing import png, vertical_stroke
from _server import request, start
from PIL import Image

import fastnet
import fastnet.keras as keras
from fastnet.serve import ServedModel


def test_health_model_and_openapi(server):
    assert request(server.url + "/health") == (200, {"status": "ok"})
    status, meta = request(server.url + "/model")
    assert status == 200
    assert meta["input_shape"] == [784] and meta["classes"] == [str(i) for i in range(10)]
    assert meta["task"] == "classification" and meta["dtype"] == "float32"
    assert meta["parameters"] == 784 * 64 + 64 + 64 * 10 + 10
    assert meta["backend"] == fastnet.get_backend()
    status, schema = request(server.url + "/openapi.json")
    assert status == 200 and {"/predict", "/predict/image"} <= set(schema["paths"])


def test_predict_rows_match_the_network(server, model_file, digits):
    x, t = digits
    net = fastnet.load(model_file)
    status, answer = request(server.url + "/predict", {"instances": x[:20].tolist()})
    assert status == 200
    expected = net.predict(x[:20]).argmax(axis=1)
    got = [int(p["class"]) for p in answer["predictions"]]
    assert got == expected.tolist()
    assert np.mean(np.array(got) == t[:20]) >= 0.8  # a trained model, not noise
    first = answer["predictions"][0]
    assert sum(first["probabilities"]) == pytest.approx(1, abs=1e-5)
    assert [d["class"] for d in first["top"]][0] == first["class"] and len(first["top"]) == 3


def test_predict_accepts_28x28_images(server, digits):
    x, _ = digits
    flat = request(server.url + "/predict", {"instances": x[:3].tolist()})
    square = request(server.url + "/predict", {"instances": x[:3].reshape(3, 28, 28).tolist()})
    assert flat == square and flat[0] == 200


def test_a_drawn_one_is_a_one(server):
    status, answer = request(server.url + "/predict/image", png(vertical_stroke()), "image/png")
    assert status == 200 and answer["predictions"][0]["class"] == "1", answer


def test_jpeg_and_light_on_dark(server):
    buf = io.BytesIO()
    vertical_stroke(ink="white", paper="black").save(buf, "JPEG")
    status, answer = request(server.url + "/predict/image", buf.getvalue(), "image/jpeg")
    assert status == 200 and answer["predictions"][0]["class"] == "1", answer


def test_transparent_canvas(server):
    image = vertical_stroke(ink=(0, 0, 0, 255), paper=(0, 0, 0, 0), mode="RGBA")
    status, answer = request(server.url + "/predict/image", png(image), "image/png")
    assert status == 200 and answer["predictions"][0]["class"] == "1", answer


def test_the_page_is_served_and_self_contained(server):
    status, page = request(server.url + "/")
    assert status == 200 and '<canvas id="pad"' in page and 'id="clear"' in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN


def test_a_keras_classifier_and_a_regression_model(tmp_path):
    np.random.seed(1)
    classifier = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                   keras.layers.Dense(3, activation="softmax")])
    classifier.save(tmp_path / "c.keras")
    regression = keras.Sequential([keras.layers.Dense(2, input_shape=(4,))])
    regression.save(tmp_path / "r.keras")
    x = np.random.default_rng(0).standard_normal((5, 4))
    for path, model in [(tmp_path / "c.keras", classifier), (tmp_path / "r.keras", regression)]:
        running = start(ServedModel.load(path))
        try:
            status, answer = request(running.url + "/predict", {"instances": x.tolist()})
            meta = request(running.url + "/model")[1]
        finally:
            running.stop()
        assert status == 200
        expected = np.asarray(model.predict(x, verbose=0))
        if model is classifier:
            assert meta["task"] == "classification"
            got = np.array([p["probabilities"] for p in answer["predictions"]])
        else:
            assert meta["task"] == "regression" and meta["classes"] is None
            got = np.array([p["value"] for p in answer["predictions"]])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_a_functional_keras_model_is_served_like_a_sequential_one(tmp_path):
    # Regression: from_keras read Sequential's input_shape_ and crashed with an
    # AttributeError on a model built with keras.Input / keras.Model.
    np.random.seed(2)
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.save(tmp_path / "f.keras")
    x = np.random.default_rng(1).standard_normal((5, 4))
    running = start(ServedModel.load(tmp_path / "f.keras"))
    try:
        status, answer = request(running.url + "/predict", {"instances": x.tolist()})
        meta = request(running.url + "/model")[1]
    finally:
        running.stop()
    assert status == 200 and meta["input_shape"] == [4] and meta["task"] == "classification"
    got = np.array([p["probabilities"] for p in answer["predictions"]])
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_keras_model_with_two_inputs_is_refused_at_start_up(tmp_path):
    a, b = keras.Input(shape=(4,)), keras.Input(shape=(3,))
    model = keras.Model([a, b], keras.layers.Dense(2)(keras.layers.Concatenate()([a, b])))
    model.save(tmp_path / "two.keras")
    with pytest.raises(ValueError, match="one input and one output; this one has 2 inputs"):
        ServedModel.load(tmp_path / "two.keras")


def test_an_image_model_needs_28x28_inputs(tmp_path):
    net = fastnet.nets.TwoLayerNet(4, 3, 2)
    net.save(tmp_path / "small.fnet")
    running = start(ServedModel.load(tmp_path / "small.fnet"))
    try:
        status, answer = request(running.url + "/predict/image",
                                 png(Image.new("L", (8, 8))), "image/png")
    finally:
        running.stop()
    assert status == 422 and "28×28" in answer["error"]
