"""load_boston_housing: the bundled table, split into 13 features and MEDV."""

import csv

import numpy as np

from fastnet.datasets import boston, load_boston_housing


def read_csv_independently():
    with open(boston.CSV_PATH, newline="") as f:
        return [[float(v) for v in row] for row in csv.reader(f) if row]


def test_shapes_and_dtypes():
    x, y = load_boston_housing()
    assert x.shape == (506, 13) and y.shape == (506,)
    assert x.dtype == np.float64 and y.dtype == np.float64
    assert x.flags.c_contiguous and x.flags.writeable and y.flags.writeable


def test_values_match_the_csv():
    rows = read_csv_independently()
    assert len(rows) == 506 and {len(r) for r in rows} == {14}
    x, y = load_boston_housing()
    np.testing.assert_array_equal(x, [r[:13] for r in rows])
    np.testing.assert_array_equal(y, [r[13] for r in rows])
    # The first town of the published table: CRIM 0.00632, ..., LSTAT 4.98, MEDV 24.0.
    assert x[0, 0] == 0.00632 and x[0, 12] == 4.98 and y[0] == 24.0
    # MEDV is censored at 50 ($50,000) in the original survey.
    assert y.min() == 5.0 and y.max() == 50.0
    # CHAS is a 0/1 dummy.
    assert set(np.unique(x[:, boston.FEATURE_NAMES.index("CHAS")])) == {0.0, 1.0}


def test_feature_names_and_ethics_note():
    assert len(boston.FEATURE_NAMES) == 13 and boston.FEATURE_NAMES[11] == "B"
    doc = load_boston_housing.__doc__
    for phrase in ("1000(Bk - 0.63)^2", "Black residents", "self-segregation", "scikit-learn",
                   "Keras book"):
        assert phrase in doc


def test_each_call_returns_fresh_arrays():
    x, y = load_boston_housing()
    x[:] = 0
    y[:] = 0
    x2, y2 = load_boston_housing()
    assert x2[0, 0] == 0.00632 and y2[0] == 24.0
