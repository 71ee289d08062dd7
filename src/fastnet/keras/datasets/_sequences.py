"""The word-index processing Keras applies to IMDB and Reuters reviews."""

import json

import numpy as np

from . import _keras_cache


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


def word_index(filename, dataset):
    with open(_keras_cache.find(filename, dataset), encoding="utf-8") as f:
        return json.load(f)
