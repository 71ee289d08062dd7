"""The word-index processing Keras applies to IMDB and Reuters reviews."""

import json
import numbers
import os

import numpy as np

from . import _keras_cache

# imdb_word_index.json is about 1.6 MB; a "word index" far past that is not one.
WORD_INDEX_MAX_BYTES = 1 << 26


def load_checked(path, x_name, y_name, *more):
    """{name: array} of a Keras sequence file: x arrays of word-id lists, y integer labels.

    Names come in (x, y) pairs; every problem is a ValueError naming the file.
    """
    names = (x_name, y_name, *more)
    data = _keras_cache.load_npz(path, names)
    out = {}
    for x_key, y_key in zip(names[::2], names[1::2]):
        out[x_key] = _sequences(data[x_key], path, x_key)
        out[y_key] = _labels(data[y_key], len(out[x_key]), path, y_key, x_key)
    return out


def _sequences(x, path, name):
    if x.ndim != 1:
        raise ValueError(f"{path}: {name} should be a 1-D array of word-id lists, "
                         f"got shape {x.shape}")
    # Pickle's memo lets a small file list one long review a million times,
    # which reindexing would copy a million times; Keras' files never share.
    if len({id(s) for s in x}) != len(x):
        raise ValueError(f"{path}: {name} repeats the same list of word ids")
    for i, s in enumerate(x):
        if not isinstance(s, (list, tuple, np.ndarray)):
            raise ValueError(f"{path}: {name}[{i}] is a {type(s).__name__}, not a list "
                             "of word ids")
        kinds = set(map(type, s))  # one pass in C: reviews run to thousands of words
        if any(not issubclass(k, numbers.Integral) or k is bool for k in kinds) or (
                len(s) and min(s) < 0):
            raise ValueError(f"{path}: {name}[{i}] holds something other than word ids "
                             "(integers >= 0)")
    return x


def _labels(y, n, path, name, x_name):
    if y.ndim != 1 or y.dtype.kind not in "iu" or len(y) != n:
        raise ValueError(f"{path}: {name} should be {n} integer labels, one per {x_name} "
                         f"entry; got {y.dtype} of shape {y.shape}")
    if n and y.min() < 0:
        raise ValueError(f"{path}: {name} has a negative label")
    return y


def shuffled(rng, *arrays):
    order = rng.permutation(len(arrays[0]))
    return [a[order] for a in arrays]


def reindex(sequences, labels, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Shift word ids by index_from, mark starts, drop long reviews, cap the vocabulary.

    Word ids in Keras' files start at 1 for the most frequent word; after
    this, 0 is padding, start_char begins every review, oov_char replaces the
    words outside [skip_top, num_words), and real words start at index_from.
    """
    if start_char is not None:
        sequences = [[start_char] + [w + index_from for w in s] for s in sequences]
    elif index_from:
        sequences = [[w + index_from for w in s] for s in sequences]
    if maxlen:
        kept = [i for i, s in enumerate(sequences) if len(s) < maxlen]
        sequences = [sequences[i] for i in kept]
        labels = labels[kept]
    if not num_words:
        num_words = max((max(s) for s in sequences if s), default=0)
    if oov_char is not None:
        sequences = [[w if skip_top <= w < num_words else oov_char for w in s]
                     for s in sequences]
    else:
        sequences = [[w for w in s if skip_top <= w < num_words] for s in sequences]
    return sequences, labels


def as_object_array(sequences):
    out = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        out[i] = list(s)
    return out


def word_index(filename, keras_name, dataset):
    """word -> id from Keras' JSON file (downloaded when missing), checked to be just that."""
    path = _keras_cache.get(filename, keras_name, dataset)
    if os.path.getsize(path) > WORD_INDEX_MAX_BYTES:
        raise ValueError(f"{path}: {os.path.getsize(path)} bytes, too large for a word index")
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, absurd nesting
        raise ValueError(f"{path}: not a JSON word index ({exc})") from None
    if not isinstance(index, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in index.items()):
        raise ValueError(f"{path}: not a word index (a JSON object of word: integer id)")
    return index
