"""The curriculum's serving stack, as the peer of `fastnet serve` in bench_serve.py.

    PEER_PYTHON benchmarks/peers/flask_keras_server.py MODEL.fnet --port 8001

"Build your own deep-learning API in Python" ends with a Keras model behind
Flask: Flask's built-in server (`app.run`, one thread per request) and one
`model.predict` per request. This is that stack, run in its own venv with
Keras 3 on PyTorch (KERAS_BACKEND=torch, 1 thread); neither Flask nor Keras
is a dependency of fastnet. It serves the same network as the fastnet
server: the Dense(512, relu) -> Dense(10, softmax) weights are read from
fastnet's model file (.npz + JSON, without unpickling), so both servers
give the same answers and the benchmark checks that they do.

    POST /predict   {"instances": [[784 numbers], ...]} -> {"predictions": [...]}
    GET  /health    {"status": "ok"}
"""

import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402


def load_model(path):
    """A Keras Sequential with the Dense(512)-Dense(10) weights of fastnet's file."""
    import torch

    torch.set_num_threads(1)
    import keras

    with np.load(path, allow_pickle=False) as arrays:
        config = json.loads(str(arrays["config"]))
        weights = [arrays[name] for name in ("W1", "b1", "W2", "b2")]
    model = keras.Sequential([
        keras.Input(shape=(weights[0].shape[0],)),
        keras.layers.Dense(weights[0].shape[1], activation="relu"),
        keras.layers.Dense(weights[2].shape[1], activation="softmax"),
    ])
    model.set_weights(weights)
    return model, config["classes"]


def create_app(model, classes):
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.post("/predict")
    def predict():
        x = np.array(request.get_json()["instances"], dtype=np.float32)
        probabilities = model.predict(x, verbose=0)
        return jsonify({"predictions": [
            {"class": classes[int(np.argmax(row))], "probabilities": row.tolist()}
            for row in probabilities]})

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    model, classes = load_model(args.model)
    # Flask's development server, as the curriculum runs it (threaded by default).
    create_app(model, classes).run(host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
