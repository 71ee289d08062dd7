"""The metric protocol (reset / update / result) and the probabilities metrics read."""

from ..backend import current


def probabilities(out, kind):
    """The outputs as probabilities: the model hands metrics logits when the loss fused them."""
    B = current()
    if kind == "softmax":
        return B.softmax(out)
    if kind == "sigmoid":
        return B.activation_forward(out, "sigmoid")
    return out


class Metric:
    """A named per-sample quantity averaged over the data.

    fit / evaluate call reset() at the start of each pass, update() for each
    batch and result() for the value so far (Keras' metric protocol).
    """

    default_name = None  # Keras' name for metrics of the class

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got {name!r}")
        self.name = name or self.default_name
        self.reset()

    def get_config(self):
        """The constructor's arguments: model files store them, metrics.from_config reads them."""
        return {"name": self.name}

    def batch_sum(self, out, t, kind=None):
        """(Σ over this batch's samples, number of samples)."""
        raise NotImplementedError  # pragma: no cover

    def reset(self):
        self._total, self._count = 0.0, 0

    def update(self, out, t, kind=None):
        total, count = self.batch_sum(out, t, kind)
        self._total += total
        self._count += count

    def result(self):
        return self._total / max(self._count, 1)
