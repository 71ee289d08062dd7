"""The Boston housing table (Harrison & Rubinfeld, 1978), bundled."""

from pathlib import Path

import numpy as np

__all__ = ["FEATURE_NAMES", "load_boston_housing"]

CSV_PATH = Path(__file__).parent / "data" / "boston_housing.csv"

FEATURE_NAMES = (
    "CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE",
    "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT",
)
TARGET_NAME = "MEDV"


def load_boston_housing():
    """The 506 Boston towns: (x, y), x (506, 13) float64 features, y (506,) float64.

    y is MEDV, the median home value in $1000s. The columns of x, in order,
    are FEATURE_NAMES: CRIM per-capita crime rate, ZN residential land zoned
    for large lots, INDUS non-retail business acres, CHAS 1 if on the Charles
    River, NOX nitric-oxide concentration, RM rooms per dwelling, AGE share
    of homes built before 1940, DIS distance to employment centres, RAD
    highway access index, TAX property-tax rate, PTRATIO pupil-teacher ratio,
    B (see below), LSTAT % lower-status population.

    Read this before using the data: feature "B" is 1000(Bk - 0.63)^2, where
    Bk is the proportion of Black residents of the town. It was built on the
    assumption that racial self-segregation raises house prices, and it is
    the reason scikit-learn removed this data set. fastnet offers it only
    because the regression chapter of the Keras book uses it; learners should
    know what that column is, and may prefer to drop it
    (`np.delete(x, FEATURE_NAMES.index("B"), axis=1)`).

    No train/test split is made here; source: UCI Machine Learning
    Repository, as distributed by mlxtend.
    """
    table = np.loadtxt(CSV_PATH, delimiter=",", dtype=np.float64, ndmin=2)
    expected = (506, len(FEATURE_NAMES) + 1)
    if table.shape != expected:
        raise ValueError(f"{CSV_PATH}: expected a {expected} table, found {table.shape}")
    return table[:, :-1].copy(), table[:, -1].copy()
