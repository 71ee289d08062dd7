"""One Head per model output: its loss, its metrics, and whether the loss fuses its activation.

compile() takes Keras' forms: for one output a loss and a list of metrics;
for several, one loss for every output or one per output (a list in output
order, or a dict by output name), and metrics as a list of lists or a dict
(Keras 3 refuses a flat list there, and so does fastnet). loss_weights
scale each output's loss in the total, Keras' rule: loss = Σ weight · loss
of the output (+ the penalties). The logs name things as Keras does:
"loss" (that total), then for several outputs "<output>_loss" (each
output's loss, unweighted, as Keras logs it) and "<output>_<metric>".
"""

from . import arguments
from . import losses as losses_module
from . import metrics as metrics_module

__all__ = ["Head", "log_names", "loss_weights_per_output", "losses_per_output",
           "metrics_per_output"]


def _per_output(value, names, what):
    """A list, one entry per output, from a list in output order or a dict by name."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} names outputs {unknown}; the model's outputs "
                             f"are {names}")
        return [value.get(name) for name in names]
    if len(value) != len(names):
        raise ValueError(f"compile: {what} has {len(value)} entries for a model with "
                         f"{len(names)} outputs {names}")
    return list(value)


def losses_per_output(loss, names):
    """One Loss per output (the same one for all when one was given)."""
    if isinstance(loss, (list, tuple, dict)):
        items = _per_output(loss, names, "loss")
        missing = [n for n, item in zip(names, items) if item is None]
        if missing:
            raise ValueError(f"compile: no loss for output(s) {missing}")
        return [losses_module.get(item) for item in items]
    one = losses_module.get(loss)
    return [one] * len(names)


def loss_weights_per_output(loss_weights, names):
    """One float per output: a number (one output), a list in output order or a dict by name.

    None (or a None entry, as Keras takes it) weighs 1.
    """
    if loss_weights is None:
        return [1.0] * len(names)
    if not isinstance(loss_weights, (list, tuple, dict)):
        if len(names) != 1:
            raise ValueError(f"compile: loss_weights for a model with outputs {names} is a list "
                             f"(one per output) or a dict by output name, got {loss_weights!r}")
        loss_weights = [loss_weights]
    items = _per_output(loss_weights, names, "loss_weights")
    if isinstance(loss_weights, dict):
        missing = [n for n in names if n not in loss_weights]
        if missing:  # Keras fails on them too (KeyError)
            raise ValueError(f"compile: loss_weights has no weight for output(s) {missing}")
    return [1.0 if w is None else arguments.real(w, f"compile: loss_weights[{n!r}]")
            for n, w in zip(names, items)]


def metrics_per_output(metrics, names):
    """One list of metric identifiers per output."""
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, dict) or (len(names) > 1 and isinstance(metrics, (list, tuple))):
        if isinstance(metrics, (list, tuple)) and not all(
                isinstance(m, (list, tuple)) or m is None for m in metrics):
            raise ValueError(
                f"compile: a model with outputs {names} takes metrics as a list of lists, one "
                f"per output, or a dict by output name; got {metrics!r}")
        items = _per_output(metrics, names, "metrics")
        return [[] if item is None else [item] if isinstance(item, str) else list(item)
                for item in items]
    return [list(metrics)]


class Head:
    """The loss and metrics of one output, resolved once its width is known."""

    def __init__(self, name, loss, metric_ids, layer, fusable):
        self.name, self.loss = name, loss
        n_out = layer.output_shape[0]
        act = getattr(layer, "output_activation", None)
        # Fuse the last softmax / sigmoid into the loss kernel when they match
        # (and no other layer reads the activation's output).
        self.fuse_last = (fusable and not loss.from_logits and act is not None
                          and act == loss.fused_activation)
        self.logits = self.fuse_last or (loss.from_logits and loss.fused_activation is not None)
        self.kind = loss.fused_activation if self.logits else None
        self.n_out = n_out
        self.metrics = [metrics_module.get(m, loss, n_out) for m in metric_ids]


def log_names(heads):
    """The names of evaluate's values, in Keras' order."""
    if len(heads) == 1:
        return ["loss"] + [m.name for m in heads[0].metrics]
    return (["loss"] + [f"{h.name}_loss" for h in heads]
            + [f"{h.name}_{m.name}" for h in heads for m in h.metrics])
