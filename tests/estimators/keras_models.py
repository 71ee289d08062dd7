"""Model-building functions for the Keras wrappers' tests (importable, so they pickle)."""

from fastnet.keras import Sequential, layers, optimizers


def dense_model(hidden=16, meta=None):
    """Dense(hidden, relu) -> one unit per class (softmax) or per target (linear)."""
    classes = meta.get("n_classes_")
    width = classes if classes is not None else meta["n_outputs_"]
    return Sequential([
        layers.Dense(hidden, activation="relu", input_shape=(meta["n_features_in_"],)),
        layers.Dense(width, activation="softmax" if classes is not None else None),
    ])


def compiled_binary_model(meta=None):
    """One sigmoid unit, compiled by the function itself with binary cross-entropy."""
    model = Sequential([
        layers.Dense(8, activation="relu", input_shape=(meta["n_features_in_"],)),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    return model


def one_hot_model(meta=None):
    """Softmax output compiled with categorical (one-hot) cross-entropy."""
    model = Sequential([layers.Dense(meta["n_classes_"], activation="softmax",
                                     input_shape=(meta["n_features_in_"],))])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy")
    return model
