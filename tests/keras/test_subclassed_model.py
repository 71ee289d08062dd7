"""Subclassed models: `class MyModel(keras.Model)` with layers set in __init__ and call().

The programs below train from the same weights as Keras 3.15.1 (PyTorch
2.13.0 backend, CPU), whose logs are in keras3_subclassed.json, recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_subclassed_model.py

(run and compared as test_functional_parity.py does). Each class is written
as Keras' guides write it; the weights are set in get_weights' order, which
is the order __init__ set the layers, not the order call() uses them.
"""

import json
import pathlib
import sys

import numpy as np
import pytest
from _functional_programs import check_against_keras, run


def _classes(keras):
    """The subclassed models, defined against either implementation's Model."""
    L = keras.layers

    class TwoLayers(keras.Model):
        # The classifier is set first: it comes first in layers and get_weights.
        def __init__(self):
            super().__init__()
            self.classifier = L.Dense(3, activation="softmax")
            self.hidden = L.Dense(8, activation="relu")

        def call(self, inputs):
            return self.classifier(self.hidden(inputs))

    class Residual(keras.Model):
        def __init__(self, units=8, **kwargs):
            super().__init__(**kwargs)
            self.expand = L.Dense(units, activation="relu")
            self.blocks = [L.Dense(units, activation="tanh") for _ in range(2)]
            # Rate 0 keeps the run deterministic; the call still passes `training`.
            self.drop = L.Dropout(0.0)
            self.add = L.Add()
            self.out = L.Dense(1)

        def call(self, inputs, training=False):
            x = self.expand(inputs)
            h = x
            for block in self.blocks:
                h = block(h)
            h = self.drop(h, training=training)
            return self.out(self.add([x, h]))

    class TrainingBranch(keras.Model):
        # The branch is Python's: only the training trace calls `extra`.
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(6, activation="relu")
            self.extra = L.Activation("tanh")
            self.head = L.Dense(3, activation="softmax")

        def call(self, inputs, training=False):
            x = self.dense(inputs)
            if training:
                x = self.extra(x)
            return self.head(x)

    return {"two_layers": TwoLayers, "residual": Residual, "training_branch": TrainingBranch}


def _built(name):
    def build(keras, layers):
        model = _classes(keras)[name]()
        # Called once on data, as Keras' guides do, so the layers make their weights
        # (Keras 3's build() does not run call() for a subclass).
        model(np.zeros((1, 6), dtype="float32"))
        return model
    return build


PROGRAMS = {
    "two_layers": (_built("two_layers"), ["x"], ["labels"], ("RMSprop", {}),
                   "sparse_categorical_crossentropy", ["accuracy"]),
    "residual": (_built("residual"), ["x"], ["real"],
                 ("SGD", {"learning_rate": 0.05, "momentum": 0.9}), "mse", ["mae"]),
    "training_branch": (_built("training_branch"), ["x"], ["onehot"], ("Adam", {}),
                        "categorical_crossentropy", ["accuracy"]),
}

KERAS = json.loads(pathlib.Path(__file__).with_name("keras3_subclassed.json").read_text())


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_keras_3(name):
    check_against_keras(name, KERAS[name], PROGRAMS)


class _Docs:
    """The subclassing example of TensorFlow's and Keras' guides, on fastnet.keras."""

    @staticmethod
    def make(rate=0.5):
        from fastnet import keras

        class MyModel(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense1 = keras.layers.Dense(16, activation="relu")
                self.dense2 = keras.layers.Dense(3, activation="softmax")
                self.dropout = keras.layers.Dropout(rate)

            def call(self, inputs, training=False):
                x = self.dense1(inputs)
                if training:
                    x = self.dropout(x, training=training)
                return self.dense2(x)

        keras.utils.set_random_seed(0)
        return MyModel()


def _xy(n=32):
    rng = np.random.default_rng(1)
    return rng.standard_normal((n, 6)).astype("float32"), rng.integers(0, 3, n)


def test_the_guides_example_trains_with_dropout_and_predicts_without():
    model = _Docs.make()
    x, y = _xy()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 3 and model.name == "my_model"
    assert [la.name for la in model.layers][2].startswith("dropout")
    first, again = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, again)  # no dropout outside training
    trained = model._forward_list(x, True, (False,))[0]
    assert not np.allclose(trained, first)  # the training trace drops units
    assert model.evaluate(x, y, verbose=0)[0] > 0


def test_gradients_of_the_training_trace_match_central_differences():
    from _keras_gradcheck import numerical_check

    from fastnet import keras
    keras.config.set_floatx("float64")
    try:
        model = _classes(keras)["residual"]()
        model.compile("sgd", "mse")
        rng = np.random.default_rng(3)
        x = rng.standard_normal((5, 6))
        model.build((None, 6))
        numerical_check(model, x, rng.standard_normal((5, 1)))
    finally:
        keras.config.set_floatx("float32")


def test_summary_lists_the_layers_in_the_order_init_set_them():
    from fastnet import keras
    model = _classes(keras)["two_layers"]()
    with pytest.raises(ValueError, match="not built yet"):
        model.summary()
    model.build((None, 6))
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "two_layers"'
    rows = [line.split()[0] for line in lines if line.startswith("dense")]
    assert rows == [la.name for la in model.layers]
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    assert "Total params: 83" in "\n".join(lines)


def test_weights_files_round_trip_and_model_files_say_why_not(tmp_path):
    model = _Docs.make(rate=0.0)
    x, y = _xy()
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.weights.npz")
    again = _Docs.make(rate=0.0)
    again.build((None, 6))
    again.load_weights(tmp_path / "w.weights.npz")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(NotImplementedError, match="use save_weights"):
        model.save(tmp_path / "model.keras")


def test_a_layer_made_inside_call_is_listed_after_the_attributes():
    from fastnet import keras

    class Inline(keras.Model):
        def __init__(self):
            super().__init__()
            self.head = keras.layers.Dense(2)

        def call(self, inputs):
            return self.head(keras.layers.Dense(4, name="inline")(inputs))

    model = Inline()
    model.build((None, 3))
    assert [la.name for la in model.layers][1] == "inline"
    assert len(model.get_weights()) == 4


def test_what_call_cannot_do_is_refused_clearly():
    from fastnet import keras

    class Arithmetic(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs) * 2

    with pytest.raises(TypeError, match="Arithmetic.call: fastnet runs call.. once on symbolic"):
        Arithmetic().predict(np.ones((2, 3)), verbose=0)

    class Shifty(keras.Model):
        def __init__(self):
            super().__init__()
            self.small, self.large = keras.layers.Dense(2), keras.layers.Dense(3)

        def call(self, inputs, training=False):
            return self.small(inputs) if training else self.large(inputs)

    with pytest.raises(ValueError, match="with training=True but"):
        Shifty().build((None, 3))

    class Early(keras.Model):
        def __init__(self):
            self.dense = keras.layers.Dense(2)
            super().__init__()

    with pytest.raises(RuntimeError, match=r"call super\(\).__init__\(\) at the start"):
        Early()
    with pytest.raises(ValueError, match=r"input_shape must be \(batch, ...\)"):
        _Docs.make().build(6)


def test_a_subclass_may_still_build_a_functional_model():
    from fastnet import keras

    class Wrapped(keras.Model):
        def __init__(self):
            inputs = keras.Input((3,))
            super().__init__(inputs, keras.layers.Dense(2)(inputs), name="wrapped")

    model = Wrapped()
    assert model.output_shape == (None, 2) and "class_name" in model.get_config()


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras, name, PROGRAMS) for name in PROGRAMS}, indent=1))
