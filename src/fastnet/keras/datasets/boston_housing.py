"""Boston housing as Keras returns it: 404 training and 102 test towns (bundled).

Read fastnet.datasets.load_boston_housing's docstring about feature "B"
before using this data.
"""

import numpy as np

from ...datasets import load_boston_housing

__all__ = ["load_data"]


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """((x_train, y_train), (x_test, y_test)): x (N, 13) float64, y (N,) float64 in $1000s.

    Shuffled with `seed` and split like Keras (test_split of the rows for the
    test set). The rows come from fastnet's bundled table, so the towns in
    each split differ from Keras' own copy even with the same seed.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}")
    x, y = load_boston_housing()
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
