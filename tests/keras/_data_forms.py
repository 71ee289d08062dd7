"""The array forms of test_data_adapters.py, and a recorder of what Keras 3 does with them.

Re-check the table's Keras column against a real Keras 3 (the peer venv):

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python -W ignore tests/keras/_data_forms.py

prints {form: "accepts" or the error's type}; KERAS_RECORDED below is that
output, pasted. This file imports no fastnet, so the peer venv can run it.
"""

import numpy as np

N = 12
X2 = np.arange(N * 3, dtype=np.float64).reshape(N, 3) / 10
Y1 = np.arange(N, dtype=np.float64) / N

# (name, model input shape, x, y, what fastnet does: "accepts" or the error type it raises;
#  an error that is both a TypeError and a ValueError counts as the ValueError Keras raises)
ARRAY_FORMS = [
    ("float64 array", (3,), X2, Y1, "accepts"),
    ("float16 array", (3,), X2.astype(np.float16), Y1, "accepts"),
    ("int8 array", (3,), X2.astype(np.int8), Y1, "accepts"),
    ("uint16 array", (3,), X2.astype(np.uint16), Y1, "accepts"),
    ("bool array", (3,), X2 > 1, Y1, "accepts"),
    ("integer targets", (3,), X2, np.arange(N) % 2, "accepts"),
    # The regression tutorial: x of shape (200,) into input_shape=(1,).
    ("rank-1 x, input (1,)", (1,), Y1, Y1, "accepts"),
    ("rank-1 x as (N,) list", (1,), Y1.tolist(), Y1.tolist(), "accepts"),
    ("x (N, 3, 1), input (3,)", (3,), X2[..., None], Y1, "accepts"),
    ("y (N, 1, 1)", (3,), X2, Y1[:, None, None], "accepts"),
    ("y (N, 1)", (3,), X2, Y1[:, None], "accepts"),
    ("nested list x", (3,), X2.tolist(), Y1, "accepts"),
    ("[x] (one array per input)", (3,), [X2], Y1, "accepts"),
    ("rank-1 x, input (3,)", (3,), Y1, Y1, "ValueError"),
    ("x (N, 2), input (3,)", (3,), X2[:, :2], Y1, "ValueError"),
    ("x (N, 3, 2), input (3,)", (3,), np.stack([X2, X2], -1), Y1, "ValueError"),
    ("[x, x] (two inputs)", (3,), [X2, X2], Y1, "ValueError"),
    ("dict x, no named inputs", (3,), {"a": X2}, Y1, "ValueError"),
    ("string array", (3,), X2.astype(str), Y1, "ValueError"),
    ("object array", (3,), X2.astype(object), Y1, "ValueError"),
    ("complex array", (3,), X2.astype(complex), Y1, "ValueError"),
    ("scalar x", (3,), 1.0, Y1, "ValueError"),
    ("fewer targets", (3,), X2, Y1[:-1], "ValueError"),
    ("y (N, 2) for 1 output", (3,), X2, np.stack([Y1, Y1], 1), "ValueError"),
    ("no y", (3,), X2, None, "ValueError"),
]


def keras_outcomes(keras):
    """What a real Keras 3 does with each array form: {name: "accepts" or the error's type}."""
    out = {}
    for name, shape, x, y, _ in ARRAY_FORMS:
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        try:
            model.fit(x, y, epochs=1, batch_size=5, verbose=0)
            model.predict(x, verbose=0)
            out[name] = "accepts"
        except Exception as err:  # noqa: BLE001 -- recording whatever Keras raises
            out[name] = type(err).__name__
    return out


# Recorded 2026-12-02 with Keras 3.15.1 on torch 2.13.0 (CPU).
KERAS_RECORDED = {
    "float64 array": "accepts",
    "float16 array": "accepts",
    "int8 array": "accepts",
    "uint16 array": "accepts",
    "bool array": "accepts",
    "integer targets": "accepts",
    "rank-1 x, input (1,)": "accepts",
    "rank-1 x as (N,) list": "ValueError",
    "x (N, 3, 1), input (3,)": "accepts",
    "y (N, 1, 1)": "accepts",
    "y (N, 1)": "accepts",
    "nested list x": "ValueError",
    "[x] (one array per input)": "accepts",
    "rank-1 x, input (3,)": "ValueError",
    "x (N, 2), input (3,)": "ValueError",
    "x (N, 3, 2), input (3,)": "ValueError",
    "[x, x] (two inputs)": "accepts",
    "dict x, no named inputs": "ValueError",
    "string array": "ValueError",
    "object array": "ValueError",
    "complex array": "accepts",
    "scalar x": "ValueError",
    "fewer targets": "ValueError",
    "y (N, 2) for 1 output": "accepts",
    "no y": "ValueError",
}

# Where fastnet does not do what Keras 3 does, and why.
DIFFERENCES = {
    "rank-1 x as (N,) list": "Keras 3 refuses Python lists of numbers; fastnet converts them "
                             "as np.asarray would (the Keras 2 rule the book's code relies on)",
    "nested list x": "the same: lists of numbers are read as np.asarray reads them",
    "[x, x] (two inputs)": "Keras 3 trains a one-input model on two arrays (it warns that the "
                           "structure does not match and uses one); fastnet refuses rather "
                           "than drop an input silently",
    "complex array": "Keras 3 casts complex numbers to float32, dropping the imaginary parts "
                     "(NumPy's ComplexWarning); fastnet refuses rather than lose them",
    "y (N, 2) for 1 output": "Keras 3 broadcasts a one-unit output against two target columns "
                             "in the loss; fastnet refuses the mismatched shapes",
}


if __name__ == "__main__":
    import json

    import keras

    print(json.dumps(keras_outcomes(keras), indent=1))
