"""The checks of softmax and the losses: labels in range, targets that fit, finite results.

A part of `fastnet.backend.Backend` (a base class); it uses the shared
helpers of checks/arrays.py (`_array`, `_from_foreign`, `_common`,
`_same_shape`) and the backend's kernels `impl`. NaN or inf in the input
is found from the (scalar) loss where it can be, without an extra pass.
"""

import math

import numpy as np

from .arrays import FLOAT_CHARS


class LossChecks:
    """softmax, cross_entropy and the fused losses, checked."""

    def _labels(self, t, x, kernel):
        """t as integer labels (N,) in [0, C) or a float target shaped like x."""
        if not isinstance(t, self.xp.ndarray):
            t = self._from_foreign(t, "t", kernel)
        n, c = x.shape
        if t.ndim == 1 and t.dtype.kind in "iu":
            if t.shape[0] != n:
                raise ValueError(
                    f"{kernel}: {n} rows in x {x.shape} but {t.shape[0]} labels in t {t.shape}"
                )
            given = t
            if t.dtype != np.intp or (self._host_memory and not t.flags.aligned):
                t = t.astype(np.intp)  # native and aligned, as the C code indexes it
            # Viewed as unsigned, a negative label becomes huge, so one max
            # finds labels below 0 and labels >= c alike (one reduction, not two).
            # A uint64 label ≥ 2**63 wraps to a negative intp: caught the same way.
            if n and int(t.view(np.uintp).max()) >= c:
                raise ValueError(
                    f"{kernel}: labels must lie in [0, {c}) for x of shape {x.shape}, "
                    f"got values from {int(given.min())} to {int(given.max())}"
                )
            return t
        if t.dtype.kind in "biuc" or t.dtype.char not in FLOAT_CHARS:
            raise TypeError(
                f"{kernel}: t must be integer labels of shape ({n},) or a float32/float64 "
                f"one-hot array of shape {x.shape}, got dtype {t.dtype} and shape {t.shape}"
            )
        t = self._array(t, "t", kernel)
        if t.shape != x.shape:
            raise ValueError(
                f"{kernel}: one-hot t must have the shape of x {x.shape}, got {t.shape}"
            )
        self._finite_target(t, kernel)
        return t if t.dtype == x.dtype else t.astype(x.dtype)

    def _finite_target(self, t, kernel):
        """Refuse NaN or inf in a one-hot t.

        The loss reads only argmax(t), so a NaN there would give a finite loss
        and a NaN gradient. One BLAS dot product, Σt², is NaN or inf whenever
        an element is (and, without a warning, when huge finite values
        overflow: the exact test then clears those).
        """
        xp = self.xp
        if t.size and not math.isfinite(float(xp.vdot(t, t))) \
                and not bool(xp.isfinite(t).min()):
            raise ValueError(f"{kernel}: the target t contains NaN or inf")

    @staticmethod
    def _classes(x, kernel):
        """Refuse x with no columns: a softmax over no classes has no probabilities."""
        if x.shape[1] == 0:
            raise ValueError(f"{kernel}: x {x.shape} has 0 classes (columns); a softmax "
                             f"needs at least one")

    @staticmethod
    def _finite_loss(loss, kernel, inputs="the input"):
        # A NaN or inf anywhere in the logits makes the loss NaN: checking the
        # scalar costs nothing, scanning the input would cost a pass.
        if not math.isfinite(loss):
            raise ValueError(f"{kernel}: {inputs} contains NaN or inf (loss is {loss})")
        return loss

    def softmax(self, x):
        """Row-wise stable softmax of a (N, C) array. See reference.softmax."""
        x = self._array(x, "x", "softmax", ndim=2)
        self._classes(x, "softmax")
        y = self.impl.softmax(x)
        # Every finite row gives finite probabilities, so one reduction over
        # the output finds NaN/inf input without a separate pass over x.
        if y.size and not bool(self.xp.isfinite(y.sum())):
            raise ValueError("softmax: the input contains NaN or inf")
        return y

    def cross_entropy(self, y, t):
        """The book's cross_entropy_error on (N, C) probabilities."""
        y = self._array(y, "y", "cross_entropy", ndim=2)
        self._classes(y, "cross_entropy")
        # y is probabilities; below 0 its log is NaN (one reduction of (N, C) values).
        if y.size and float(y.min()) < 0:
            raise ValueError(f"cross_entropy: y must hold probabilities in [0, 1], got a "
                             f"value of {float(y.min())}")
        t = self._labels(t, y, "cross_entropy")
        return self._finite_loss(self.impl.cross_entropy(y, t), "cross_entropy")

    def softmax_cross_entropy(self, x, t):
        """(loss, dX) of softmax + cross-entropy in one pass."""
        x = self._array(x, "x", "softmax_cross_entropy", ndim=2)
        self._classes(x, "softmax_cross_entropy")
        t = self._labels(t, x, "softmax_cross_entropy")
        loss, dx = self.impl.softmax_cross_entropy(x, t)
        return self._finite_loss(loss, "softmax_cross_entropy"), dx

    def sigmoid_binary_cross_entropy(self, x, t):
        """(loss, dX) of sigmoid + binary cross-entropy, mean over elements."""
        x = self._array(x, "x", "sigmoid_binary_cross_entropy")
        t = self._array(t, "t", "sigmoid_binary_cross_entropy")
        self._same_shape(x, t, ("x", "t"), "sigmoid_binary_cross_entropy")
        x, t, _ = self._common(x, t)
        loss, dx = self.impl.sigmoid_binary_cross_entropy(x, t)
        # NaN or inf in x or t always makes the mean non-finite: no extra pass.
        return self._finite_loss(loss, "sigmoid_binary_cross_entropy", "x or t"), dx

    def mean_squared_error(self, y, t):
        """(loss, dY) of the mean squared error."""
        y = self._array(y, "y", "mean_squared_error")
        t = self._array(t, "t", "mean_squared_error")
        self._same_shape(y, t, ("y", "t"), "mean_squared_error")
        y, t, _ = self._common(y, t)
        loss, dy = self.impl.mean_squared_error(y, t)
        # NaN or inf in y or t always makes the mean non-finite: no extra pass.
        return self._finite_loss(loss, "mean_squared_error", "y or t"), dy
