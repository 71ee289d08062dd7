"""IMDB movie reviews (25,000 train + 25,000 test) from Keras' imdb.npz.

Read from Keras' cache (~/.keras/datasets/ or $KERAS_HOME/datasets/), and
downloaded there from Keras' own URL, checksum-verified, when missing.
"""

import numpy as np

from . import _keras_cache, _sequences

__all__ = ["get_word_index", "load_data"]


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """((x_train, y_train), (x_test, y_test)) like keras.datasets.imdb.load_data.

    x: object arrays of lists of word ids (see _sequences.reindex); y: 0/1 labels.
    """
    data = _sequences.load_checked(_keras_cache.get(path, "imdb.npz", "imdb"),
                                   "x_train", "y_train", "x_test", "y_test")
    rng = np.random.RandomState(seed)
    x_train, y_train = _sequences.shuffled(rng, data["x_train"], data["y_train"])
    x_test, y_test = _sequences.shuffled(rng, data["x_test"], data["y_test"])
    n_train = len(x_train)
    sequences, labels = _sequences.reindex(
        list(x_train) + list(x_test), np.concatenate([y_train, y_test]), num_words, skip_top,
        None, start_char, oov_char, index_from)
    if maxlen:  # filtered per split, so each keeps its own reviews
        train = [i for i in range(n_train) if len(sequences[i]) < maxlen]
        test = [i for i in range(n_train, len(sequences)) if len(sequences[i]) < maxlen]
    else:
        train, test = list(range(n_train)), list(range(n_train, len(sequences)))
    pick = _sequences.as_object_array
    return ((pick([sequences[i] for i in train]), labels[train]),
            (pick([sequences[i] for i in test]), labels[test]))


def get_word_index(path="imdb_word_index.json"):
    """word -> id (1 = most frequent), from Keras' imdb_word_index.json."""
    return _sequences.word_index(path, "imdb_word_index.json", "imdb")
