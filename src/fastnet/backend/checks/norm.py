"""The checks of batch normalization: (N, D) batches, (D,) statistics.

A part of `fastnet.backend.Backend` (a base class); it uses the shared
helpers of checks/arrays.py (`_array`, `_in_place`, `_common`, `_number`,
`_same_shape`) and the backend's kernels `impl`. The running statistics are
updated in place in training, so there they are checked as they are and
never converted; a batch holding NaN or inf is refused and leaves them as
they were.
"""

import numpy as np


class NonFiniteBatchError(ValueError):
    """A training batch whose mean or variance is NaN or inf.

    A ValueError like any bad input. It has its own class so that
    fastnet.scratch, which keeps the book's NumPy behaviour (NaN flows on
    through a diverged network), can catch exactly this refusal.
    """


class NormChecks:
    """Batch normalization's forward (training and inference) and backward, checked."""

    def _features(self, arrays, names, d, kernel):
        out = []
        for a, name in zip(arrays, names):
            a = self._array(a, name, kernel, ndim=1)
            if a.shape[0] != d:
                raise ValueError(f"{kernel}: {name} must have shape ({d},), got {a.shape}")
            out.append(a)
        return out

    def _running(self, running_mean, running_var, x, kernel, in_place=False):
        """The running statistics, (D,) arrays of x's dtype: updated in place in training
        (checked as they are), only read in inference (converted like any input)."""
        stats = []
        for name, r in (("running_mean", running_mean), ("running_var", running_var)):
            r = self._in_place(r, name, kernel) if in_place else self._array(r, name, kernel)
            if r.shape != (x.shape[1],) or r.dtype != x.dtype:
                raise ValueError(
                    f"{kernel}: {name} must be a {x.dtype} array of shape ({x.shape[1]},) "
                    f"for x {x.shape}, got {r.dtype} {r.shape}"
                )
            stats.append(r)
        return stats

    def batchnorm_forward_train(self, x, gamma, beta, running_mean, running_var, momentum):
        """(out, xn, std) of batch norm on a (N, D) batch; running stats updated in place."""
        kernel = "batchnorm_forward_train"
        x = self._array(x, "x", kernel, ndim=2)
        if x.shape[0] == 0:
            raise ValueError(f"{kernel}: a batch of x {x.shape} has no sample to average")
        gamma, beta = self._features((gamma, beta), ("gamma", "beta"), x.shape[1], kernel)
        x, gamma, beta = self._common(x, gamma, beta)
        self._running(running_mean, running_var, x, kernel, in_place=True)
        momentum = self._fraction(momentum, "momentum", kernel)
        # The kernel folds the batch statistics into copies (two (D,) vectors),
        # kept only if the batch was finite: one inf in x would otherwise make
        # running_mean inf and every later inference NaN.
        new_mean, new_var = running_mean.copy(), running_var.copy()
        # NumPy's own warnings (inf - inf, an overflow) would only precede the error below.
        with np.errstate(invalid="ignore", over="ignore"):
            out, xn, std = self.impl.batchnorm_forward_train(x, gamma, beta, new_mean, new_var,
                                                             momentum)
        # std = √(σ² + eps) is NaN or inf exactly when a column of x holds NaN or
        # inf, or its variance overflows: D values to test instead of all of x.
        finite = self.xp.isfinite(std)
        if not bool(finite.all()):
            column = int((~finite).argmax())  # the first column that is not finite
            raise NonFiniteBatchError(
                f"{kernel}: x contains NaN or inf, or values whose mean or variance "
                f"overflows (column {column}); the running statistics were left unchanged")
        running_mean[...] = new_mean
        running_var[...] = new_var
        return out, xn, std

    def batchnorm_forward_infer(self, x, gamma, beta, running_mean, running_var):
        """Batch norm with the running statistics, x (N, D)."""
        kernel = "batchnorm_forward_infer"
        x = self._array(x, "x", kernel, ndim=2)
        gamma, beta = self._features((gamma, beta), ("gamma", "beta"), x.shape[1], kernel)
        x, gamma, beta = self._common(x, gamma, beta)
        running_mean, running_var = self._running(running_mean, running_var, x, kernel)
        # (D,) values, read once: a negative variance has no square root.
        if running_var.size and float(running_var.min()) < 0:
            raise ValueError(f"{kernel}: running_var has a negative value "
                             f"({float(running_var.min())}); a variance is ≥ 0")
        return self.impl.batchnorm_forward_infer(x, gamma, beta, running_mean, running_var)

    def batchnorm_backward(self, dout, xn, std, gamma):
        """(dx, dgamma, dbeta) of batch norm from forward_train's xn and std."""
        kernel = "batchnorm_backward"
        dout = self._array(dout, "dout", kernel, ndim=2)
        xn = self._array(xn, "xn", kernel, ndim=2)
        self._same_shape(xn, dout, ("xn", "dout"), kernel)
        std, gamma = self._features((std, gamma), ("std", "gamma"), dout.shape[1], kernel)
        dout, xn, std = self._common(dout, xn, std)
        if gamma.dtype != dout.dtype:
            gamma = gamma.astype(dout.dtype)
        return self.impl.batchnorm_backward(dout, xn, std, gamma)
