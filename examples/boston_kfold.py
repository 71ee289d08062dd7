"""Boston housing: the Keras book's K-fold validation, as KFold + cross_validate.

    python examples/boston_kfold.py            # 4 folds, 100 epochs each
    python examples/boston_kfold.py --quick    # a few seconds (CI runs this)

The book trains the same small regression model on K-1 folds and
validates it on the remaining one, K times, because 404 samples are too
few for one reliable split. Here scikit-learn does the bookkeeping: KFold
makes the folds, a Pipeline refits the feature scaling on each training
part only (the book computes the mean and std on the training data
only, for the same reason), and cross_validate collects the scores.

Caveat: when K does not divide N the folds differ in size (506 rows in 4
folds: 127, 127, 126, 126), so their scores weigh slightly different
amounts of data. Feature "B" of this data set encodes the share of Black
residents under a segregationist assumption (see fastnet.datasets.
load_boston_housing); --drop-b leaves it out.
"""

import argparse

import numpy as np
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastnet.datasets import load_boston_housing
from fastnet.datasets.boston import FEATURE_NAMES
from fastnet.keras import Sequential, layers
from fastnet.sklearn import KerasRegressor


def build_model(meta):
    """The book's model: two Dense(64, relu) layers and one linear output."""
    model = Sequential([
        layers.Dense(64, activation="relu", input_shape=(meta["n_features_in_"],)),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run, for CI")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--drop-b", action="store_true", help="leave feature B out")
    args = parser.parse_args(argv)

    x, y = load_boston_housing()
    if args.drop_b:
        x = np.delete(x, FEATURE_NAMES.index("B"), axis=1)
    model = make_pipeline(StandardScaler(), KerasRegressor(
        build_model, epochs=5 if args.quick else 100, batch_size=16, random_state=0))
    folds = KFold(n_splits=args.folds, shuffle=True, random_state=0)
    print("fold sizes:", [len(test) for _, test in folds.split(x)])
    scores = cross_validate(model, x, y, cv=folds, scoring="neg_mean_absolute_error",
                            return_train_score=True)
    mae = -scores["test_score"]
    print("validation MAE per fold (in $1000s):", np.round(mae, 2))
    print(f"mean validation MAE: {mae.mean():.2f} ± {mae.std():.2f}")


if __name__ == "__main__":
    main()
