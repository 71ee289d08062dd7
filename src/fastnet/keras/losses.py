"""Losses by Keras' names, each able to hand back its gradient.

A loss here does two jobs: `prepare(t, n_out)` checks and converts the
targets ONCE per fit / evaluate (so a wrong loss/label combination fails at
once with a message saying what to use instead), and `loss_and_grad(out, t,
logits)` returns the mean loss over the batch and d loss / d out.

Fusion. When the model's last layer ends in softmax (or sigmoid) and the
loss is a categorical (or binary) cross-entropy, the model gives the loss the
LOGITS and the loss calls one kernel, `softmax_cross_entropy` (or
`sigmoid_binary_cross_entropy`), which returns the loss and the gradient
(probabilities - targets) / N in one pass. How the value relates to Keras':

- Keras clips the probabilities to [1e-7, 1 - 1e-7] and averages
  -Σ t·log p. fastnet's softmax kernel averages -log(p[label] + 1e-7) with
  the label taken as argmax of a one-hot row (the book's cross_entropy_error);
  the sigmoid kernel computes -(t·log σ(z) + (1-t)·log(1-σ(z))) exactly from
  the logits. For one-hot / 0-1 targets and probabilities not within 1e-7 of
  0 or 1 the values agree to float32 rounding; where a probability saturates,
  Keras' value is capped (log 1e-7 ≈ -16.1) and fastnet's is the true (or
  nearly true) loss. Soft (non one-hot) targets: the gradient is exact, the
  reported categorical loss uses the argmax label. Training follows the same
  gradient either way, without the clipping's zero gradient at saturation.

The unfused paths (cross-entropy on probabilities, mae) are short array
expressions on the backend's array module (`current().xp`): they run only
when a model does not end in the matching activation, which the tutorials
never do, so they have no kernel of their own.
"""

import math

import numpy as np

from ..backend import current

__all__ = [
    "BinaryCrossentropy", "CategoricalCrossentropy", "Loss", "MeanAbsoluteError",
    "MeanSquaredError", "SparseCategoricalCrossentropy", "binary_crossentropy",
    "categorical_crossentropy", "get", "mae", "mean_absolute_error", "mean_squared_error",
    "mse", "sparse_categorical_crossentropy",
]

# Keras' clipping epsilon for losses on probabilities (backend.epsilon()).
EPSILON = 1e-7


class Loss:
    """A named loss. `fused_activation`: the last activation it can absorb."""

    name = "loss"
    fused_activation = None

    def __init__(self, from_logits=False, name=None):
        self.from_logits = bool(from_logits)
        if name:
            self.name = name

    def prepare(self, t, n_out, dtype):
        """Targets as a backend array shaped for outputs (N, n_out), or a clear error."""
        t = _as_array(t, self.name)
        n = t.shape[0] if t.ndim else 0
        if t.ndim == 1 and n_out == 1:
            t = t.reshape(n, 1)  # (N,) targets for a Dense(1) output, as in Keras
        if t.ndim != 2 or t.shape[1] != n_out:
            raise ValueError(
                f"{self.name}: targets of shape {t.shape} do not match the model's output "
                f"(None, {n_out})"
            )
        return current().xp.asarray(t, dtype=dtype)

    def weighted_loss_and_grad(self, out, t, logits, w=None):
        """loss_and_grad with Keras' sample weights: Σ w_i·loss_i / N, gradient rows × w_i.

        Keras divides by the batch size N, not by Σ w ("sum_over_batch_size"),
        so a weight of 2 counts a sample twice and weights of 0 shrink the loss.
        """
        loss, grad = self.loss_and_grad(out, t, logits)
        if w is None:
            return loss, grad
        per_sample = self.per_sample(out, t, logits)
        n = max(out.shape[0], 1)
        return self._finite((per_sample * w).sum() / n), grad * w.reshape(-1, 1)

    def __call__(self, y_true, y_pred):
        """The mean loss of probabilities (or logits when from_logits) y_pred, like Keras."""
        y_pred = current().xp.asarray(y_pred, dtype=np.float32)
        t = self.prepare(y_true, y_pred.shape[1] if y_pred.ndim == 2 else 1, y_pred.dtype)
        return self.loss_and_grad(y_pred.reshape(t.shape[0], -1), t, self.from_logits)[0]

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}

    def _finite(self, loss):
        """The loss as a float, refusing NaN / inf as the loss kernels do.

        The fused kernels check their scalar; the unfused array expressions
        here must too, or training would carry NaN into every weight silently.
        """
        loss = float(loss)
        if not math.isfinite(loss):
            raise ValueError(f"{self.name}: the input contains NaN or inf (loss is {loss})")
        return loss


def _as_array(t, loss_name):
    # Targets arrive as lists, NumPy arrays or backend arrays.
    xp = current().xp
    t = t if isinstance(t, (np.ndarray, xp.ndarray)) else np.asarray(t)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{loss_name}: targets must be numbers, got dtype {t.dtype}")
    return t


class CategoricalCrossentropy(Loss):
    """-Σ t·log p over classes, averaged over the batch; t one-hot (N, C)."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def prepare(self, t, n_out, dtype):
        t = _as_array(t, self.name)
        if t.ndim == 1 or (t.ndim == 2 and t.shape[1] == 1 and n_out > 1):
            raise ValueError(
                f"categorical_crossentropy expects one-hot targets of shape (N, {n_out}), "
                f"got integer labels of shape {t.shape}: use "
                f"loss='sparse_categorical_crossentropy', or one-hot encode them with "
                f"fastnet.keras.utils.to_categorical(labels, {n_out})"
            )
        return super().prepare(t, n_out, dtype)

    def loss_and_grad(self, out, t, logits):
        B = current()
        if logits:
            return B.softmax_cross_entropy(out, t)
        p = B.xp.clip(out, EPSILON, 1 - EPSILON)
        n = max(out.shape[0], 1)
        return self._finite(-(t * B.xp.log(p)).sum() / n), -(t / p) / n

    def per_sample(self, out, t, logits):
        xp = current().xp
        if logits:  # the kernel's rule: the label is the argmax of the target row
            return _softmax_label_loss(out, xp.argmax(t, axis=1))
        return -(t * xp.log(xp.clip(out, EPSILON, 1 - EPSILON))).sum(axis=1)


class SparseCategoricalCrossentropy(Loss):
    """-log p[label] averaged over the batch; labels (N,) integers in [0, C)."""

    name = "sparse_categorical_crossentropy"
    fused_activation = "softmax"

    def prepare(self, t, n_out, dtype):
        t = _as_array(t, self.name)
        if t.ndim == 2 and t.shape[1] == 1:
            t = t.reshape(-1)
        if t.ndim != 1:
            raise ValueError(
                f"sparse_categorical_crossentropy expects integer class labels of shape "
                f"(N,), got shape {t.shape}; for one-hot targets use "
                f"loss='categorical_crossentropy'"
            )
        # NaN != NaN.round() refuses NaN; the bound refuses inf and values the
        # cast to an index would overflow.
        if t.dtype.kind == "f" and t.size and bool(
                ((t != t.round()) | (abs(t) >= 2.0**62)).any()):
            raise ValueError(
                "sparse_categorical_crossentropy: labels must be whole numbers below 2**62"
            )
        # Checked before the cast to an index, which would wrap a uint64 label
        # such as 2**63 to a negative number and the message would show that.
        if t.size and (int(t.min()) < 0 or int(t.max()) >= n_out):
            raise ValueError(
                f"sparse_categorical_crossentropy: labels must lie in [0, {n_out}) for a model "
                f"with {n_out} outputs, got values from {int(t.min())} to {int(t.max())}"
            )
        return current().xp.asarray(t).astype(np.intp)

    def loss_and_grad(self, out, t, logits):
        B = current()
        if logits:
            return B.softmax_cross_entropy(out, t)
        xp = B.xp
        n = out.shape[0]
        rows = xp.arange(n)
        p = xp.clip(out[rows, t], EPSILON, 1 - EPSILON)
        grad = xp.zeros_like(out)
        grad[rows, t] = -1 / (p * max(n, 1))
        return self._finite(-xp.log(p).sum() / max(n, 1)), grad

    def per_sample(self, out, t, logits):
        xp = current().xp
        if logits:
            return _softmax_label_loss(out, t)
        return -xp.log(xp.clip(out[xp.arange(out.shape[0]), t], EPSILON, 1 - EPSILON))


class BinaryCrossentropy(Loss):
    """-(t·log p + (1-t)·log(1-p)), averaged over every output; t in [0, 1]."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def loss_and_grad(self, out, t, logits):
        B = current()
        if logits:
            return B.sigmoid_binary_cross_entropy(out, t)
        xp = B.xp
        p = xp.clip(out, EPSILON, 1 - EPSILON)
        size = max(out.size, 1)
        loss = -(t * xp.log(p) + (1 - t) * xp.log(1 - p)).sum() / size
        return self._finite(loss), (p - t) / (p * (1 - p) * size)

    def per_sample(self, out, t, logits):
        xp = current().xp
        if logits:
            # -(t·log σ(z) + (1-t)·log(1-σ(z))) = max(z, 0) - t·z + log(1 + e^-|z|),
            # which never takes exp of a large positive number.
            terms = xp.maximum(out, 0) - t * out + xp.log1p(xp.exp(-xp.abs(out)))
        else:
            p = xp.clip(out, EPSILON, 1 - EPSILON)
            terms = -(t * xp.log(p) + (1 - t) * xp.log(1 - p))
        return terms.mean(axis=1)


class MeanSquaredError(Loss):
    """mean((p - t)²) over every output."""

    name = "mean_squared_error"

    def loss_and_grad(self, out, t, logits):
        return current().mean_squared_error(out, t)

    def per_sample(self, out, t, logits):
        return ((out - t) ** 2).mean(axis=1)


class MeanAbsoluteError(Loss):
    """mean(|p - t|) over every output; its gradient sign(p - t) / size."""

    name = "mean_absolute_error"

    def loss_and_grad(self, out, t, logits):
        xp = current().xp
        diff = out - t
        size = max(out.size, 1)
        return self._finite(xp.abs(diff).sum() / size), xp.sign(diff) / size

    def per_sample(self, out, t, logits):
        return current().xp.abs(out - t).mean(axis=1)


def _softmax_label_loss(logits, labels):
    """-log(softmax(z)[label] + ε) per row: the fused kernel's loss, sample by sample."""
    xp = current().xp
    z = logits - logits.max(axis=1, keepdims=True)  # the max subtracted against overflow
    p = xp.exp(z) / xp.exp(z).sum(axis=1, keepdims=True)
    return -xp.log(p[xp.arange(p.shape[0]), labels] + EPSILON)


def categorical_crossentropy(y_true, y_pred):
    return CategoricalCrossentropy()(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    return SparseCategoricalCrossentropy()(y_true, y_pred)


def binary_crossentropy(y_true, y_pred):
    return BinaryCrossentropy()(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    return MeanSquaredError()(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    return MeanAbsoluteError()(y_true, y_pred)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_BY_NAME = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
}
_FUNCTIONS = {
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
}


# The class names a saved model's config may name: nothing else is looked up.
_BY_CLASS_NAME = {cls.__name__: cls for cls in (
    CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy,
    MeanSquaredError, MeanAbsoluteError)}


def from_config(class_name, config):
    """The loss a saved model names (its class name and get_config())."""
    if not isinstance(class_name, str) or class_name not in _BY_CLASS_NAME:
        raise ValueError(f"unknown loss {class_name!r}; allowed: {sorted(_BY_CLASS_NAME)}")
    if not isinstance(config, dict) or not set(config) <= {"name", "from_logits"}:
        raise ValueError(
            f"a loss config is an object with keys 'name' and 'from_logits', got {config!r}"
        )
    name = config.get("name")
    if name is not None and not isinstance(name, str):
        raise ValueError(f"a loss name must be a string, got {name!r}")
    if not isinstance(config.get("from_logits", False), bool):
        raise ValueError(f"from_logits must be true or false, got {config['from_logits']!r}")
    return _BY_CLASS_NAME[class_name](**config)


def get(identifier):
    """A Loss from a Keras name ('mse', 'categorical_crossentropy', ...), function or instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    if callable(identifier) and identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    raise ValueError(
        f"unknown loss {identifier!r}; fastnet.keras supports {sorted(_BY_NAME)}"
    )
