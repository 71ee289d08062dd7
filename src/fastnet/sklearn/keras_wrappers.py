"""KerasClassifier / KerasRegressor: a function that builds a fastnet.keras model, as an estimator.

    def build(hidden=64, meta=None):
        model = Sequential([Dense(hidden, activation="relu",
                                  input_shape=(meta["n_features_in_"],)),
                            Dense(1)])
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
        return model

    reg = KerasRegressor(build, model__hidden=64, epochs=80, batch_size=16)
    cross_validate(reg, x, y, cv=KFold(4))

In the spirit of SciKeras (written here, not taken from it): the function
is called again for every fit, so every fold and every trial of a search
starts from a new model. Its arguments come from the estimator's
`model__NAME=value` parameters (searchable like any other: `{"model__hidden":
[32, 64]}`), plus `meta` if the function has such a parameter: a dict with
n_features_in_, n_outputs_ and, for a classifier, n_classes_ and classes_.
A model the function leaves uncompiled is compiled with the estimator's
optimizer, loss and metrics.

A classifier's labels become what its loss expects: class indices for
sparse_categorical_crossentropy, one-hot rows for categorical_crossentropy,
0/1 for binary_crossentropy on one sigmoid unit.
"""

import inspect

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..keras import utils as keras_utils
from .targets import ClassTargets, RegressionTargets
from .threads import worker_threads

__all__ = ["KerasClassifier", "KerasRegressor"]

ROUTED = "model__"  # prefix of the parameters handed to the model-building function
INPUT_DTYPES = (np.float64, np.float32)


class KerasEstimator(BaseEstimator):
    """What both wrappers share: parameters, building, fit / partial_fit, predict."""

    _default_loss = None

    def __init__(self, model=None, *, optimizer="rmsprop", loss=None, metrics=None,
                 epochs=10, batch_size=32, random_state=None, warm_start=False, verbose=0,
                 n_threads=None, **model_params):
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_threads = n_threads
        # Kept as given (scikit-learn's contract: __init__ checks nothing);
        # fit refuses a name without the model__ prefix.
        self._model_params = dict(model_params)

    # ------------------------------------------------------------ parameters
    # The model__ parameters are not in __init__'s signature, so get_params
    # and set_params add them; clone() then passes them back to __init__.

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._model_params)
        return params

    def set_params(self, **params):
        for key in [k for k in params if k.startswith(ROUTED) or k in self._model_params]:
            self._model_params[key] = params.pop(key)
        return super().set_params(**params)

    def _model_kwargs(self, meta):
        # A model object is callable too (it predicts): refuse it, since every
        # fold and trial needs a fresh model from the function.
        if not callable(self.model) or isinstance(self.model, type) or hasattr(
                self.model, "fit"):
            raise TypeError(
                "model must be a function that builds and returns a fastnet.keras model "
                f"(called anew for every fit), got {self.model!r}")
        unknown = [k for k in self._model_params if not k.startswith(ROUTED)]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}: unexpected parameter(s) {unknown}; arguments of the "
                f"model-building function are given as {ROUTED}NAME=value")
        kwargs = {k[len(ROUTED):]: v for k, v in self._model_params.items()}
        if "meta" in inspect.signature(self.model).parameters:
            kwargs["meta"] = meta
        return kwargs

    def _build_model(self, meta):
        model = self.model(**self._model_kwargs(meta))
        if not all(hasattr(model, name) for name in ("compile", "fit", "predict", "build")):
            raise TypeError(f"the model function returned {type(model).__name__}, not a "
                            "fastnet.keras model")
        if getattr(model, "optimizer", None) is None:
            model.compile(optimizer=self.optimizer, loss=self.loss or self._default_loss,
                          metrics=self.metrics)
        if not model.built:
            model.build((None, meta["n_features_in_"]))
        return model

    # ------------------------------------------------------------ fitting

    def fit(self, X, y, **fit_params):
        """Train a new model (or, with warm_start, the last one) for `epochs` epochs.

        fit_params go to the model's fit (validation_split, callbacks, ...).
        """
        return self._fit(X, y, self.epochs, incremental=False, fit_params=fit_params)

    def _fit(self, X, y, epochs, incremental, fit_params, classes=None):
        for key in ("sample_weight", "class_weight"):
            if fit_params.get(key) is not None:
                raise TypeError(f"fit: {key} is not supported (fastnet.keras models "
                                "have no per-sample weights)")
        fresh = not hasattr(self, "model_") or not (incremental or self.warm_start)
        X, y = validate_data(self, X, y, reset=fresh, dtype=INPUT_DTYPES, **self._y_checks())
        targets = self._targets(y, fresh, classes)
        with worker_threads(self.n_threads) as threads:
            self.n_threads_ = threads
            if self.random_state is not None:
                # fastnet.keras draws weights, batch order and dropout from one generator.
                seeds = check_random_state(self.random_state)
                keras_utils.set_random_seed(seeds.randint(np.iinfo(np.int32).max))
            if fresh:
                self.model_ = self._build_model(self._meta(X))
                self.history_ = {}
            t = self._encode(targets)
            history = self.model_.fit(X, t, epochs=epochs, batch_size=self.batch_size,
                                      verbose=self.verbose, **fit_params)
        for key, values in history.history.items():
            self.history_[key] = self.history_.get(key, []) + list(values)
        return self

    def _meta(self, X):
        return {"n_features_in_": X.shape[1], "n_outputs_": self._n_outputs()}

    def _raw_predict(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=INPUT_DTYPES)
        with worker_threads(self.n_threads):
            out = self.model_.predict(X, batch_size=max(self.batch_size, 256), verbose=0)
        return np.asarray(out, dtype=np.float64)

    def _output_width(self):
        return self.model_.output_shape[-1]


class KerasClassifier(ClassifierMixin, ClassTargets, KerasEstimator):
    """A fastnet.keras classifier: the model ends in softmax (or one sigmoid unit).

    Parameters: model (the building function), optimizer / loss / metrics
    (used when the function does not compile the model; the loss defaults
    to sparse_categorical_crossentropy), epochs, batch_size, random_state,
    warm_start, verbose, n_threads (None: 1 in a joblib or Dask worker),
    and model__NAME for the function's arguments.
    """

    _default_loss = "sparse_categorical_crossentropy"

    def partial_fit(self, X, y, classes=None):
        """One epoch, continuing the model; the first call needs `classes`."""
        if not hasattr(self, "model_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        return self._fit(X, y, 1, incremental=True, fit_params={}, classes=classes)

    def predict_proba(self, X):
        """Each class's probability (columns in the order of classes_), rows summing to 1."""
        out = self._raw_predict(X)
        if getattr(self.model_.loss, "from_logits", False):
            if out.shape[1] == 1:
                out = 1.0 / (1.0 + np.exp(-out))
            else:  # softmax, the row max subtracted against overflow
                out = np.exp(out - out.max(axis=1, keepdims=True))
        if out.shape[1] == 1 and self.n_classes_ == 2:  # one sigmoid unit: P(classes_[1])
            out = np.hstack([1.0 - out, out])
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, X):
        best = self.predict_proba(X).argmax(axis=1)  # checks fitted-ness before classes_
        return self.classes_[best]

    def _meta(self, X):
        return {"n_features_in_": X.shape[1], "n_outputs_": 1, "n_classes_": self.n_classes_,
                "classes_": self.classes_}

    def _encode(self, index):
        """The labels (as class indices) in the form the model's loss expects."""
        name, width = self.model_.loss.name, self._output_width()
        if name == "binary_crossentropy" and width == 1:
            if self.n_classes_ > 2:
                raise ValueError(f"binary_crossentropy on one output unit cannot learn "
                                 f"{self.n_classes_} classes; use softmax with "
                                 "sparse_categorical_crossentropy")
            return index.astype(np.float32).reshape(-1, 1)
        if width != self.n_classes_:
            raise ValueError(f"the model has {width} output unit(s) for {self.n_classes_} "
                             "classes: the last layer needs one unit per class (or one "
                             "sigmoid unit for two classes)")
        if name == "sparse_categorical_crossentropy":
            return index
        if name == "categorical_crossentropy":
            return np.eye(width, dtype=np.float32)[index]
        raise ValueError(f"a classifier needs a cross-entropy loss, the model has {name!r}")


class KerasRegressor(RegressorMixin, RegressionTargets, KerasEstimator):
    """A fastnet.keras regressor: the model's last layer has one unit per target.

    Parameters as KerasClassifier's; the loss defaults to mean squared error.
    """

    _default_loss = "mse"

    def partial_fit(self, X, y):
        """One epoch, continuing the model (or starting one)."""
        return self._fit(X, y, 1, incremental=True, fit_params={})

    def predict(self, X):
        return self._shaped(self._raw_predict(X))

    def _encode(self, t):
        if self._output_width() != t.shape[1]:
            raise ValueError(f"the model has {self._output_width()} output unit(s) for "
                             f"{t.shape[1]} target column(s)")
        return t
