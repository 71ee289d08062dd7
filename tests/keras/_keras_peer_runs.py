"""Run one small Keras program on fastnet or on Keras 3, and log what it does
(test_keras_layers_more.py, test_keras_conv_strides.py, test_keras_maxpool_strides.py).

`run(layers, models, name, programs)` takes the `layers` and `models` modules
of either library, so the same code records Keras 3's numbers (each test
file's `__main__` part, in the peer venv) and checks fastnet's against them.
"""

import numpy as np

RTOL = 1e-5


def _data():
    rng = np.random.default_rng(0)
    return {
        "x": rng.standard_normal((48, 5)).astype("float32"),
        "images": rng.standard_normal((48, 6, 6, 2)).astype("float32"),
        "ids": rng.integers(0, 30, (48, 7)),
        "labels": rng.integers(0, 3, 48),
    }


def run(layers, models, name, programs):
    """What one program logs: predictions before and after training, losses, evaluate."""
    data = _data()
    stack, key, loss, optimizer = programs(layers)[name]
    model = models.Sequential(stack)
    draw = np.random.default_rng(5)
    weights = [(draw.standard_normal(w.shape) * 0.3).astype("float32")
               for w in model.get_weights()]
    # Variances must stay positive: BatchNormalization's 4th weight of each layer.
    model.set_weights([abs(w) + 0.5 if "variance" in path else w
                       for w, path in zip(weights, _weight_kinds(model))])
    x, y = data[key], data["labels"]
    before = model.predict(x[:4], verbose=0)
    model.compile(optimizer=optimizer, loss=loss)
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    return {"before": before.tolist(), "loss": [float(v) for v in history.history["loss"]],
            "after": model.predict(x[:4], verbose=0).tolist(),
            "evaluate": float(model.evaluate(x, y, verbose=0))}


def _weight_kinds(model):
    """'variance' for each moving variance, '' for other weights (both implementations)."""
    kinds = []
    for layer in model.layers:
        n = len(layer.get_weights())
        is_bn = type(layer).__name__ == "BatchNormalization"
        kinds += ["variance" if is_bn and i == n - 1 else "" for i in range(n)]
    return kinds


def check_against_keras(name, recorded, programs):
    """Run program `name` on fastnet and compare everything it logs with Keras' record."""
    from fastnet.keras import layers, models, utils
    utils.set_random_seed(0)
    ours = run(layers, models, name, programs)
    for key in recorded:
        np.testing.assert_allclose(ours[key], recorded[key], rtol=RTOL, atol=1e-7,
                                   err_msg=f"{name}: {key}")
