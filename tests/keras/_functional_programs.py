"""The functional-API programs run on fastnet and on Keras 3, and their comparison
(test_functional_parity.py, test_shared_layers.py, test_loss_weights.py,
test_subclassed_model.py). `run(keras, name)` takes either library's keras
module, so the same code records Keras 3's numbers (each test file's
`__main__` part, in the peer venv) and checks fastnet's against them.
"""

import numpy as np

RTOL = 1e-5


def _data():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 64)
    return {"x": rng.standard_normal((64, 6)).astype("float32"),
            "side": rng.standard_normal((64, 4)).astype("float32"),
            "labels": labels, "onehot": np.eye(3, dtype="float32")[labels],
            "real": rng.standard_normal((64, 1)).astype("float32")}


def _mnist_dense(keras, L):
    inputs = keras.Input(shape=(6,))
    hidden = L.Dense(16, activation="relu")(inputs)
    return keras.Model(inputs, L.Dense(3, activation="softmax")(hidden))


def _two_inputs(keras, L):
    main, side = keras.Input(shape=(6,), name="main"), keras.Input(shape=(4,), name="side")
    branch = L.Dense(5, activation="tanh")(L.Dense(7, activation="relu")(side))
    joined = L.Concatenate()([L.Dense(8, activation="relu")(main), branch])
    return keras.Model([main, side], L.Dense(3, activation="softmax")(joined))


def _residual(keras, L):
    inputs = keras.Input(shape=(6,))
    h = L.Dense(8, activation="relu")(inputs)
    block = L.Dense(8)(L.Dense(8, activation="relu")(h))
    out = L.Activation("relu")(L.Add()([h, block]))
    return keras.Model(inputs, L.Dense(1)(out))


def _two_outputs(keras, L):
    inputs = keras.Input(shape=(6,))
    trunk = L.Dense(8, activation="relu")(inputs)
    classes = L.Dense(3, activation="softmax", name="classes")(trunk)
    value = L.Dense(1, name="value")(L.Concatenate()([trunk, classes]))
    return keras.Model(inputs, [classes, value])


# name: (build, inputs, targets, optimizer (name, arguments), loss, metrics)
PROGRAMS = {
    "mnist_dense": (_mnist_dense, ["x"], ["onehot"], ("RMSprop", {}),
                    "categorical_crossentropy", ["accuracy"]),
    "two_inputs_concatenate": (_two_inputs, ["x", "side"], ["labels"], ("Adam", {}),
                               "sparse_categorical_crossentropy", ["accuracy"]),
    "residual_add": (_residual, ["x"], ["real"],
                     ("SGD", {"learning_rate": 0.05, "momentum": 0.9}), "mse", ["mae"]),
    "two_outputs": (_two_outputs, ["x"], ["labels", "real"], ("Adam", {}),
                    ["sparse_categorical_crossentropy", "mse"], [["accuracy"], ["mae"]]),
}


def run(keras, name, programs=PROGRAMS, data=None):
    """What one program logs: predictions, the History, evaluate."""
    build, inputs, targets, (opt, kwargs), loss, metrics, *more = programs[name]
    compile_extras = more[0] if more else {}  # e.g. loss_weights
    data = _data() if data is None else data
    model = build(keras, keras.layers)
    draw = np.random.default_rng(5)
    model.set_weights([(draw.standard_normal(w.shape) * 0.3).astype("float32")
                       for w in model.get_weights()])
    x = [data[k] for k in inputs] if len(inputs) > 1 else data[inputs[0]]
    y = [data[k] for k in targets] if len(targets) > 1 else data[targets[0]]
    model.compile(optimizer=getattr(keras.optimizers, opt)(**kwargs), loss=loss,
                  metrics=metrics, **compile_extras)
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                        validation_split=0.25)
    after = model.predict(x, verbose=0)
    after = after if isinstance(after, list) else [after]
    return {"layers": [type(layer).__name__ for layer in model.layers],
            "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
            "after": [a[:4].tolist() for a in after],
            "evaluate": [float(v) for v in np.atleast_1d(model.evaluate(x, y, verbose=0))]}


def check_against_keras(name, theirs, programs=PROGRAMS, data=None):
    """Run program `name` on fastnet and compare everything it logs with Keras' record."""
    from fastnet import keras
    keras.utils.set_random_seed(0)
    ours = run(keras, name, programs, data)
    assert ours["layers"] == theirs["layers"], name
    assert sorted(ours["history"]) == sorted(theirs["history"]), name
    for key, values in theirs["history"].items():
        np.testing.assert_allclose(ours["history"][key], values, rtol=RTOL, atol=1e-7,
                                   err_msg=f"{name}: {key}")
    for key in ("after", "evaluate"):
        for a, b in zip(ours[key], theirs[key]):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-7, err_msg=f"{name}: {key}")
