"""LayeredNet: what the book's networks share (predict, loss, accuracy, gradients, files).

The public base class of fastnet's networks and of the book-compatible ones
in fastnet.scratch. A subclass builds, in its constructor:

- `params`: {name: array}, the arrays its layers hold by reference;
- `layers`: the layers in order (a list, or an OrderedDict as in the book);
- `last_layer`: a SoftmaxWithLoss;
- `_grad_sources`: (param name, layer, gradient attribute) for every
  parameter, usually `self._sources([(i, layer), ...])` for the layers
  holding W{i}/b{i} (or gamma{i}/beta{i}).

and may set `weight_decay_lambda` (λ of the penalty 0.5·λ·ΣW²).
"""

from ..backend import current
from ..layers import BatchNormalization, Dropout
from ..numgrad import numerical_gradient as _numerical_gradient
from . import args, files

_TRAIN_AWARE = (Dropout, BatchNormalization)  # their forward takes train_flg


class LayeredNet:
    """A chain of layers and a SoftmaxWithLoss (see the module docstring for what
    a subclass builds)."""

    weight_decay_lambda = 0

    def _layer_list(self):
        return list(self.layers.values()) if isinstance(self.layers, dict) else self.layers

    def predict(self, x, train_flg=False):
        for layer in self._layer_list():
            x = layer.forward(x, train_flg) if isinstance(layer, _TRAIN_AWARE) else layer.forward(x)
        return x

    def _decay(self):
        """0.5·λ·ΣW² over the weights (0 without weight decay)."""
        lam = self.weight_decay_lambda
        if not lam:
            return 0.0
        xp = current().xp
        # Summed where the weights live, then read once: on a GPU every
        # float() waits for the device.
        squares = sum(xp.vdot(self.params[key], self.params[key])
                      for key, _, attr in self._grad_sources if attr == "dW")
        return 0.5 * lam * float(squares)

    def loss(self, x, t, train_flg=True):
        """Cross-entropy of softmax(predict(x, train_flg)) against t (+ weight decay)."""
        return self.last_layer.forward(self.predict(x, train_flg), t) + self._decay()

    def _training_loss(self, x, t):
        return self.loss(x, t, train_flg=True)

    def accuracy(self, x, t, batch_size=100):
        """Fraction of samples whose top score is the label, predicted batch by batch.

        Unlike the book's loop, a last partial batch is counted too.
        """
        t = args.accuracy_inputs(current(), x, t)
        args.batch_size(batch_size, "accuracy")
        hits = 0  # counted where the arrays live, read back once
        for i in range(0, x.shape[0], batch_size):
            y = self.predict(x[i:i + batch_size], train_flg=False)
            hits = hits + (y.argmax(axis=1) == t[i:i + batch_size]).sum()
        return int(hits) / x.shape[0]

    def numerical_gradient(self, x, t):
        """Gradients by central differences, the book's numbers (h = 1e-4, loss at the
        perturbed parameters), computed without its loop where fastnet.numgrad can."""
        return _numerical_gradient(self, x, t)

    def gradient(self, x, t):
        """Gradients of `loss(x, t)` by backpropagation, keyed like params."""
        self._training_loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self._layer_list()):
            dout = layer.backward(dout)
        grads = {key: getattr(layer, attr) for key, layer, attr in self._grad_sources}
        lam = self.weight_decay_lambda
        if lam:
            # d/dW of 0.5·λ·ΣW² is λ·W; a new array, so layer.dW stays the data gradient.
            for key, layer, attr in self._grad_sources:
                if attr == "dW":
                    grads[key] = layer.dW + lam * layer.W
        return grads

    def save_params(self, file_name="params.npz"):
        """Write the params: an .npz archive + JSON config, or the book's pickle for a .pkl name.

        The .npz is read back without unpickling anything (see files.py).
        """
        files.save(self.params, file_name, type(self).__name__)

    def load_params(self, file_name="params.npz"):
        """Load params saved by save_params (or the book's params.pkl) into this net, in place.

        The file's content decides its format. A pickle is read with a
        restricted unpickler that admits NumPy arrays only, so a crafted
        file cannot run code; names and shapes must match the network
        (a ValueError says what differs), and parameters the network does
        not have are ignored with a ParamsFileWarning.
        """
        files.load(self.params, file_name, type(self).__name__)

    def _sources(self, pairs):
        """(key, layer, attr) for each numbered layer: W/b, or gamma/beta for batch norm."""
        out = []
        for i, layer in pairs:
            names = ("gamma", "dgamma", "beta", "dbeta") if isinstance(
                layer, BatchNormalization) else ("W", "dW", "b", "db")
            out += [(f"{names[0]}{i}", layer, names[1]), (f"{names[2]}{i}", layer, names[3])]
        return out
