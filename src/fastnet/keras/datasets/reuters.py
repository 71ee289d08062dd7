"""Reuters newswires (46 topics) from Keras' reuters.npz.

Read from Keras' cache (~/.keras/datasets/ or $KERAS_HOME/datasets/), and
downloaded there from Keras' own URL, checksum-verified, when missing.
"""

import numpy as np

from . import _keras_cache, _sequences

__all__ = ["get_word_index", "load_data"]


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """((x_train, y_train), (x_test, y_test)) like keras.datasets.reuters.load_data."""
    data = _sequences.load_checked(_keras_cache.get(path, "reuters.npz", "reuters"), "x", "y")
    rng = np.random.RandomState(seed)
    xs, labels = _sequences.shuffled(rng, data["x"], data["y"])
    sequences, labels = _sequences.reindex(
        list(xs), labels, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    split = int(len(sequences) * (1 - test_split))
    pick = _sequences.as_object_array
    return ((pick(sequences[:split]), labels[:split]),
            (pick(sequences[split:]), labels[split:]))


def get_word_index(path="reuters_word_index.json"):
    """word -> id (1 = most frequent), from Keras' reuters_word_index.json."""
    return _sequences.word_index(path, "reuters_word_index.json", "reuters")
