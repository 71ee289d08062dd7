"""The functional API against Keras 3: same weights, same batches, same logs.

Each program builds a functional model (the MNIST tutorial's Dense model
written with Input / Model, a two-input model joined by Concatenate, a
residual block with Add, a model with two outputs), sets weights drawn from
a fixed NumPy generator in the shapes the model reports (so a weight order
that differed from Keras' would fail or diverge), predicts, trains 3 epochs
of 3 batches with shuffle=False and validation_split=0.25, predicts again and
evaluates. KERAS holds what Keras 3.15.1 (PyTorch 2.13.0 backend, CPU)
printed, recorded with

    KERAS_BACKEND=torch /work/venvs/peer-keras/bin/python tests/keras/test_functional_parity.py

(the script part at the bottom runs the same programs on Keras). fastnet
must match within 1e-5 relative.
"""

import json
import pathlib
import sys

import pytest
from _functional_programs import PROGRAMS, check_against_keras, run


def _recorded():
    path = pathlib.Path(__file__).with_name("keras3_functional.json")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_matches_keras_3(name):
    check_against_keras(name, _recorded()[name])


if __name__ == "__main__":
    import keras

    print(f"# Keras {keras.__version__}", file=sys.stderr)
    print(json.dumps({name: run(keras, name) for name in PROGRAMS}, indent=1))
