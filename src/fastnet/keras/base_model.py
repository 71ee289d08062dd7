"""What Sequential and the functional Model share: weights, summary, files.

Both keep their layers in `self.layers` in the order they run (and the
order of `get_weights`, Keras' order); training is trainer.py.
"""

from ..device import to_numpy
from . import saving
from .legacy import Keras2Methods
from .trainer import Trainer

__all__ = ["LayeredModel", "shape_text"]


def shape_text(shape):
    """(None, 10) as Keras prints it: a one-axis tuple without its trailing comma."""
    return str(tuple(shape)).replace(",)", ")")


class LayeredModel(Keras2Methods, Trainer):
    """Weights, summary and saving over `self.layers`."""

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        return [w for layer in self.layers for w in layer.trainable_weights]

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def get_weights(self):
        """Every weight as a NumPy array, layer by layer (kernel, bias, ...)."""
        return [to_numpy(w).copy() for w in self.weights]

    def set_weights(self, values):
        """Copy `values` (as from get_weights) into the weights, in place."""
        values = list(values)
        if len(values) != len(self.weights):
            raise ValueError(f"the model has {len(self.weights)} weights, got {len(values)}")
        for layer in self.layers:
            n = len(layer.weights)
            layer.set_weights(values[:n])
            values = values[n:]

    # ------------------------------------------------------------ summary

    def _summary_rows(self):
        """(Layer (type), Output Shape, Param #, ...) for each layer."""
        raise NotImplementedError

    def summary(self, print_fn=None):
        """Print each layer's output shape and parameter count, as Keras does."""
        if not self.built:
            self.build()
        print_fn = print_fn or print
        header, rows = self._summary_rows()
        widths = (29, 26, 12, 30)[:len(header)]

        def line(cells):
            return "".join(cell.ljust(w) for cell, w in zip(cells, widths)).rstrip()

        total = self.count_params()
        trainable = sum(layer.count_trainable_params() for layer in self.layers)
        print_fn(f'Model: "{self.name}"')
        print_fn("_" * sum(widths))
        print_fn(line(header))
        print_fn("=" * sum(widths))
        for i, row in enumerate(rows):
            # A cell of several lines (a merge layer's inputs) continues below.
            cells = [c if isinstance(c, list) else [c] for c in row]
            for k in range(max(len(c) for c in cells)):
                print_fn(line([c[k] if k < len(c) else "" for c in cells]))
            if i < len(rows) - 1 and len(header) > 3:
                print_fn("_" * sum(widths))
        print_fn("=" * sum(widths))
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {total - trainable:,}")
        print_fn("_" * sum(widths))

    # ------------------------------------------------------------ saving

    def save(self, filepath):
        """Write the architecture, weights, compile settings and optimizer state to one file.

        The file is a NumPy .npz archive: "config" is JSON text, "weight_000",
        ... the weights, "optimizer_000", ... the optimizer's state (moments)
        when it has taken a step. Any suffix is accepted (".keras" too), but
        the format is fastnet's, not Keras'.
        """
        saving.write_model(self, filepath)

    def save_weights(self, filepath):
        """Write only the weights (a .npz archive, see save)."""
        saving.write_weights(self, filepath)

    def load_weights(self, filepath):
        """Read weights written by save_weights or save into this (built) model."""
        weights = saving.read_weights(filepath)
        if not self.built:
            self.build()
        try:
            self.set_weights(weights)
        except ValueError as err:
            raise ValueError(f"{filepath}: its weights do not fit this model: {err}") from err
