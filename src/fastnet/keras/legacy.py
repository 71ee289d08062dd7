"""Keras 2-era spellings that Keras 3 refuses, accepted with one DeprecationWarning each.

The first edition of the Keras book and many tutorials still write
`SGD(lr=0.01)`, `fit(..., nb_epoch=10)`, `model.predict_classes(x)` and
`model.fit_generator(gen, ...)`. Keras 3 raises on each; fastnet runs them
as their current spelling and says once per process what that spelling is,
so the program runs and its author learns the new name.
"""

import warnings

import numpy as np

__all__ = ["Keras2Methods", "renamed_argument", "warn_once"]

_WARNED = set()


def warn_once(old, new, stacklevel=3):
    """One DeprecationWarning per old spelling per process, naming the new one."""
    if old in _WARNED:
        return
    _WARNED.add(old)
    warnings.warn(f"{old} is Keras 2's spelling, which Keras 3 refuses; fastnet.keras runs it "
                  f"as {new}", DeprecationWarning, stacklevel=stacklevel + 1)


def renamed_argument(kwargs, old, new, value, where, default=None):
    """`value` of argument `new`, or the legacy `old` from kwargs (removed), never both."""
    if old not in kwargs:
        return value
    legacy = kwargs.pop(old)
    if value is not default and value != legacy:
        raise TypeError(f"{where}: give {new}= only (got {new}={value!r} and its old "
                        f"spelling {old}={legacy!r})")
    warn_once(f"{where}({old}=...)", f"{where}({new}=...)", stacklevel=4)
    return legacy


class Keras2Methods:
    """The methods Keras 2 models had and Keras 3 dropped, on top of fit / predict."""

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: argmax of several outputs, or (p > 0.5) as int32 for one."""
        warn_once("model.predict_classes(x)",
                  "np.argmax(model.predict(x), axis=-1) (or (model.predict(x) > 0.5) for "
                  "one sigmoid output)")
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype(np.int32)

    def fit_generator(self, generator, *args, **kwargs):
        """fit(generator, ...): Keras 3's fit takes generators itself."""
        warn_once("model.fit_generator(...)", "model.fit(...)")
        return self.fit(generator, *args, **kwargs)

    def evaluate_generator(self, generator, *args, **kwargs):
        warn_once("model.evaluate_generator(...)", "model.evaluate(...)")
        return self.evaluate(generator, *args, **kwargs)

    def predict_generator(self, generator, *args, **kwargs):
        warn_once("model.predict_generator(...)", "model.predict(...)")
        return self.predict(generator, *args, **kwargs)
