"""Every form of data that fit / evaluate / predict take, turned into batches.

Keras 3's rules (its `data_adapters`), followed here, in one place:

- Arrays: NumPy arrays of any numeric dtype, pandas DataFrame / Series (when
  pandas is installed) and nested Python lists of numbers. Inputs become the
  model's float type once per call; targets go to the loss, which checks them
  (integer labels stay labels). A list or tuple of ARRAYS is Keras' "one
  array per model input": one array is taken as the single input, more are
  refused (a Sequential model has one input). Keras 3 refuses a list of
  numbers ("Unrecognized data type"); fastnet converts it, as NumPy would.
- Ranks: data with one axis fewer than the model's input, where the input's
  last size is 1, gain that axis (x of shape (200,) for input_shape=(1,));
  one axis more of size 1 is dropped. Targets follow the same rule against
  the output (N,) -> (N, 1). Anything else is refused, as Keras refuses it.
- Python generators: each item is one batch, `(x,)`, `(x, y)` or
  `(x, y, sample_weight)`; `steps_per_epoch` batches make an epoch (without
  it, an epoch runs until the generator ends). `y` and `sample_weight`
  belong inside the batches, `shuffle` is ignored, `class_weight` and
  `validation_split` are refused.
- Sequences (Keras' PyDataset: `__len__` and `__getitem__` giving batches):
  len(seq) batches an epoch, in a shuffled order when fit's shuffle=True,
  `on_epoch_end()` called after each epoch.
- Several inputs or outputs (functional models): a list or tuple in the
  model's order, or a dict by input name (the Input's name) / output name
  (the output layer's name); every array must hold the same number of
  samples. A model with one input also takes [x] and {name: x}.
  A Sequential model has no named inputs.
"""

import collections.abc
import math

import numpy as np

from ..backend import current
from . import utils
from .data_arrays import (  # noqa: F401 -- DataFormError and prepare_inputs are used from here
    DataFormError,
    _is_pandas,
    as_array,
    class_weights_to_sample_weights,
    prepare_inputs,
    prepare_targets,
    prepare_weights,
)
from .data_structures import each as _each
from .data_structures import rows

__all__ = ["for_evaluate", "for_fit", "for_predict", "class_weights_to_sample_weights"]


# ------------------------------------------------------------ batches


def _is_sequence(value):
    # A PyDataset: indexable batches with a length, and not itself an array.
    return (hasattr(value, "__getitem__") and hasattr(value, "__len__")
            and not isinstance(value, (list, tuple, dict, str, bytes, np.ndarray))
            and not _is_pandas(value) and not hasattr(value, "__array__"))


def _batch_parts(batch, where):
    """(x, y, sample_weight) from one generator / sequence item, as Keras unpacks it."""
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(
                f"{where}: a batch is (x,), (x, y) or (x, y, sample_weight), got a tuple of "
                f"{len(batch)}"
            )
        return (*batch, None, None)[:3]
    if isinstance(batch, list):
        raise ValueError(
            f"{where}: a batch must be a tuple (x, y) or (x, y, sample_weight), got a list "
            f"(Keras reads a list as one array per model input)"
        )
    return batch, None, None


def _prepare_batch(model, batch, targets, class_weight, where):
    """One generator / sequence batch as backend arrays (x, t or None, w or None)."""
    x, y, w = _batch_parts(batch, where)
    return _arrays(model, where, x, y, w, class_weight, targets)


# ------------------------------------------------------------ adapters


class ArrayData:
    """Arrays already on the backend, cut into batches by index.

    `steps` batches make an epoch. In training the index stream runs on across
    epochs, so that a steps_per_epoch shorter than one pass continues where it
    stopped; evaluation (`restart`) starts from the first sample every time.
    """

    def __init__(self, x, t, w, batch_size, shuffle=False, steps=None, restart=True):
        self.x, self.t, self.w = x, t, w
        # No samples, no batches: the index stream would never yield one.
        n = rows(x)
        passes = math.ceil(n / batch_size)
        self.steps = passes if steps is None else min(steps, passes) if restart else steps
        self._new_stream = lambda: _index_stream(n, batch_size, shuffle)
        self._stream, self._restart = self._new_stream(), restart

    def epoch(self):
        if self._restart:
            self._stream = self._new_stream()
        for _ in range(self.steps):
            yield _take_all((self.x, self.t, self.w), next(self._stream))


class StreamData:
    """A Python generator (or any iterator) of batches; its first batch builds the model."""

    def __init__(self, model, iterator, steps, targets, where):
        self._prepare = lambda batch: _prepare_batch(model, batch, targets, None, where)
        self._iterator, self.steps, self._where = iterator, steps, where
        try:
            self._first = self._prepare(next(iterator))
        except StopIteration:
            raise ValueError(f"{where}: the generator yielded no batches") from None

    def epoch(self):
        count = 0
        while self.steps is None or count < self.steps:
            if self._first is not None:
                batch, self._first = self._first, None
            else:
                try:
                    batch = self._prepare(next(self._iterator))
                except StopIteration:
                    return
            count += 1
            yield batch


class SequenceData:
    """A PyDataset-style sequence: len(seq) batches, seq[i] the i-th."""

    def __init__(self, model, sequence, steps, shuffle, targets, class_weight, where):
        n = len(sequence)
        if n < 1:
            raise ValueError(f"{where}: the sequence has no batches (len {n})")
        if steps is not None and steps > n:
            raise ValueError(f"{where}: {steps} steps asked of a sequence of {n} batches")
        self._sequence, self._shuffle, self.steps = sequence, shuffle, steps or n
        self._prepare = lambda batch: _prepare_batch(model, batch, targets, class_weight, where)
        self._prepare(sequence[0])  # builds the model, as Keras' first look at the data

    def epoch(self):
        n = len(self._sequence)
        order = utils.rng().permutation(n) if self._shuffle else range(n)
        for i in order[:self.steps]:
            yield self._prepare(self._sequence[int(i)])
        if hasattr(self._sequence, "on_epoch_end"):
            self._sequence.on_epoch_end()


def _index_stream(n, batch_size, shuffle):
    """Endless batches of sample indices, a fresh order for every pass over the data."""
    xp = current().xp
    while True:
        if shuffle:
            order = xp.asarray(utils.rng().permutation(n))
            for start in range(0, n, batch_size):
                yield order[start:start + batch_size]
        else:
            for start in range(0, n, batch_size):
                yield slice(start, start + batch_size)


def _take_all(arrays, index):
    """The rows `index` of each array (or of each array of a tuple), None kept."""
    return tuple(None if a is None else _each(lambda b: _take(b, index), a) for a in arrays)


def _take(a, index):
    # A slice is a view (no copy); an index array gathers rows in one call.
    return a[index] if isinstance(index, slice) else current().xp.take(a, index, axis=0)


# ------------------------------------------------------------ entry points


def _kind(x):
    if isinstance(x, collections.abc.Iterator) and not hasattr(x, "__array__"):
        return "generator"
    return "sequence" if _is_sequence(x) else "arrays"


def _no_extras(where, kind, y, sample_weight):
    # Keras: with a generator or a sequence, targets and weights come in its batches.
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(
                f"{where}: when x is a {kind}, {name} must not be passed; its batches hold "
                f"(x, y) or (x, y, sample_weight)"
            )


def _adapter(model, where, x, y, sample_weight, class_weight, batch_size, shuffle, steps,
             targets=True):
    kind = _kind(x)
    if kind == "generator":
        _no_extras(where, kind, y, sample_weight)
        if class_weight is not None:
            raise ValueError(f"{where}: class_weight is not supported when x is a generator")
        return StreamData(model, x, steps, targets, where)
    if kind == "sequence":
        _no_extras(where, kind, y, sample_weight)
        return SequenceData(model, x, steps, shuffle, targets, class_weight, where)
    return ArrayData(*_arrays(model, where, x, y, sample_weight, class_weight, targets),
                     batch_size, shuffle, steps)


def _arrays(model, where, x, y, sample_weight, class_weight, targets=True):
    if x is None:
        raise TypeError(f"{where}: no inputs: pass the input data x")
    x = prepare_inputs(model, x)
    if not targets:
        return x, None, None
    if y is None:
        raise ValueError(f"{where} needs targets y (or x as a generator of (x, y) batches)")
    t = prepare_targets(model, y, rows(x))
    if class_weight is not None:
        if sample_weight is not None:
            raise ValueError("class_weight and sample_weight cannot be used together")
        if isinstance(t, tuple):
            raise ValueError("class_weight is only supported for models with one output")
        sample_weight = class_weights_to_sample_weights(class_weight, y)
    return x, t, prepare_weights(sample_weight, rows(x))


def for_predict(model, x, batch_size, steps):
    """Batches of inputs only."""
    return _adapter(model, "predict", x, None, None, None, batch_size, False, steps,
                    targets=False)


def for_evaluate(model, x, y, sample_weight, batch_size, steps, where="evaluate"):
    """Batches (x, t, w) in order, once."""
    return _adapter(model, where, x, y, sample_weight, None, batch_size, False, steps)


def for_fit(model, x, y, sample_weight, class_weight, batch_size, shuffle, steps,
            validation_split):
    """The training batches, and the (x, t, w) arrays that validation_split holds back."""
    if _kind(x) != "arrays":
        if validation_split:
            raise ValueError(
                "fit: validation_split is only supported for arrays; pass validation_data"
            )
        return _adapter(model, "fit", x, y, sample_weight, class_weight, batch_size,
                        shuffle, steps), None
    x, t, w = _arrays(model, "fit", x, y, sample_weight, class_weight)
    val = None
    if validation_split:
        # Keras takes the LAST samples, before any shuffling.
        n = rows(x)
        split = math.floor(n * (1.0 - validation_split))
        if split in (0, n):
            raise ValueError(
                f"fit: validation_split={validation_split} of {n} samples leaves {split} for "
                f"training and {n - split} for validation; both need at least one"
            )
        head, tail = slice(None, split), slice(split, None)
        val = tuple(None if a is None else _each(lambda b: b[tail], a) for a in (x, t, w))
        x, t, w = (None if a is None else _each(lambda b: b[head], a) for a in (x, t, w))
    if rows(x) == 0:
        raise ValueError("fit: no training samples")
    return ArrayData(x, t, w, batch_size, shuffle, steps, restart=False), val
