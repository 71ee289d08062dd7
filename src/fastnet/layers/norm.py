"""The book's chapter 6 layers: BatchNormalization and Dropout.

Same constructors, forward signatures (`train_flg`) and stored attributes as
the book (`dgamma`, `dbeta`, `running_mean`, `running_var`, `mask`), computed
through the current backend. gamma and beta are the caller's arrays, read by
reference on every call; no backward writes into the `dout` it receives.
"""

from ..backend import current
from ..backend.checks import NonFiniteBatchError, finite_number
from ._args import batch, forward_done

__all__ = ["BatchNormalization", "Dropout", "NonFiniteBatchError"]


class BatchNormalization:
    """out = γ·(x - μ)/√(σ² + eps) + β with batch statistics (train) or running ones.

    x is (N, D), or (N, C, H, W) flattened to (N, C·H·W) per sample like the
    book (so gamma has C·H·W entries). running_mean / running_var start as
    zeros on the first forward and are updated IN PLACE:
    momentum·old + (1 - momentum)·batch.
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        B = current()
        x = batch(B, x, "x", "BatchNormalization.forward")
        input_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)
        running_mean, running_var = self.running_mean, self.running_var
        if running_mean is None:
            gamma = B.asarray(self.gamma, "gamma", "BatchNormalization.forward")
            dtype = B.xp.result_type(x.dtype, gamma.dtype)
            running_mean = B.xp.zeros(x.shape[1], dtype=dtype)
            running_var = B.xp.zeros(x.shape[1], dtype=dtype)
        if train_flg:
            self._check_momentum()
            out, xn, std = self._forward_train(B, x, running_mean, running_var)
            self.xn, self.std, self.batch_size = xn, std, x.shape[0]
        else:
            out = B.batchnorm_forward_infer(x, self.gamma, self.beta, running_mean, running_var)
        # Stored only now, so that a refused batch leaves the whole layer as it was.
        self.input_shape = input_shape
        self.running_mean, self.running_var = running_mean, running_var
        return out.reshape(input_shape)

    def _forward_train(self, B, x, running_mean, running_var):
        """(out, xn, std) of a (N, D) training batch; running statistics updated in place.

        The kernel refuses a batch holding NaN or inf with a ValueError and
        leaves the running statistics as they were (fastnet.scratch overrides
        this to let NaN flow on, as the book's NumPy code does).
        """
        return B.batchnorm_forward_train(x, self.gamma, self.beta, running_mean, running_var,
                                         self.momentum)

    def _check_momentum(self):
        # The kernels take any finite momentum; outside [0, 1] the running
        # statistics are extrapolated or diverge instead of being averaged.
        momentum = finite_number(self.momentum, "momentum", "BatchNormalization.forward")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization.forward: momentum must lie in [0, 1], "
                             f"got {self.momentum!r}")

    def backward(self, dout):
        forward_done(self.xn, self, "forward(x, train_flg=True)")
        B = current()
        dout = batch(B, dout, "dout", "BatchNormalization.backward")
        if dout.ndim != 2:
            dout = dout.reshape(dout.shape[0], -1)
        dx, self.dgamma, self.dbeta = B.batchnorm_backward(
            dout, self.xn, self.std, self.gamma)
        return dx.reshape(self.input_shape)

    @property
    def xc(self):
        """x - μ of the last training batch (the book stores it; here it is x̂·std)."""
        return None if self.xn is None else self.xn * self.std


class Dropout:
    """Training keeps each unit whose np.random.rand() draw > dropout_ratio;
    inference keeps all and scales by 1 - dropout_ratio. Stores `mask`."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = finite_number(dropout_ratio, "dropout_ratio", "Dropout")
        self.mask = None

    def forward(self, x, train_flg=True):
        B = current()
        if train_flg:
            x = batch(B, x, "x", "Dropout.forward")
            self.mask = B.dropout_mask(x.shape, self.dropout_ratio)
            return B.dropout_forward(x, self.mask)
        return B.dropout_infer(x, self.dropout_ratio)

    def backward(self, dout):
        forward_done(self.mask, self, "forward(x, train_flg=True)")
        return current().dropout_backward(dout, self.mask)
