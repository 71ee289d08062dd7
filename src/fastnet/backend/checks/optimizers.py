"""The checks of the optimizer updates: sgd, momentum, nesterov, adagrad, rmsprop, adam, rms.

A part of `fastnet.backend.Backend` (a base class); it uses the shared
helpers of checks/arrays.py (`_array`, `_in_place`, `_number`) and the
backend's kernels `impl`. An update changes param and its state
arrays in place, so those are checked as they are and never converted: a
converted copy would take the update and the caller would never see it.
"""


class OptimizerChecks:
    """The optimizer updates, checked."""

    def _update_args(self, kernel, param, grad, **state):
        """param and its state arrays (updated in place) checked, grad cast to param's dtype."""
        param = self._in_place(param, "param", kernel)
        grad = self._array(grad, "grad", kernel)
        if grad.shape != param.shape:
            raise ValueError(
                f"{kernel}: grad has shape {grad.shape} but param has shape {param.shape}"
            )
        for name, s in state.items():
            s = self._in_place(s, name, kernel)
            if s.shape != param.shape or s.dtype != param.dtype:
                raise ValueError(
                    f"{kernel}: optimizer state {name} {s.shape} {s.dtype} does not match "
                    f"param {param.shape} {param.dtype}"
                )
        if grad.dtype != param.dtype:
            grad = grad.astype(param.dtype)
        return param, grad

    def sgd_update(self, param, grad, lr):
        """p -= lr·g, in place."""
        kernel = "sgd_update"
        param, grad = self._update_args(kernel, param, grad)
        self.impl.sgd_update(param, grad, self._number(lr, "lr", kernel))

    def momentum_update(self, param, grad, velocity, lr, momentum):
        """The book's Momentum step, in place."""
        kernel = "momentum_update"
        param, grad = self._update_args(kernel, param, grad, velocity=velocity)
        self.impl.momentum_update(param, grad, velocity, self._number(lr, "lr", kernel),
                                  self._number(momentum, "momentum", kernel))

    def nesterov_update(self, param, grad, velocity, lr, momentum):
        """The book's Nesterov step, in place."""
        kernel = "nesterov_update"
        param, grad = self._update_args(kernel, param, grad, velocity=velocity)
        self.impl.nesterov_update(param, grad, velocity, self._number(lr, "lr", kernel),
                                  self._number(momentum, "momentum", kernel))

    def adagrad_update(self, param, grad, h, lr):
        """The book's AdaGrad step, in place."""
        kernel = "adagrad_update"
        param, grad = self._update_args(kernel, param, grad, h=h)
        self.impl.adagrad_update(param, grad, h, self._number(lr, "lr", kernel))

    def rmsprop_update(self, param, grad, h, lr, decay_rate):
        """The book's RMSprop step, in place."""
        kernel = "rmsprop_update"
        param, grad = self._update_args(kernel, param, grad, h=h)
        self.impl.rmsprop_update(param, grad, h, self._number(lr, "lr", kernel),
                                 self._fraction(decay_rate, "decay_rate", kernel))

    def adam_update(self, param, grad, m, v, lr_t, beta1, beta2):
        """The book's Adam step with the bias-corrected rate lr_t, in place."""
        kernel = "adam_update"
        param, grad = self._update_args(kernel, param, grad, m=m, v=v)
        number = self._number
        self.impl.adam_update(param, grad, m, v, number(lr_t, "lr_t", kernel),
                              number(beta1, "beta1", kernel), number(beta2, "beta2", kernel))

    def rms_update(self, param, grad, h, lr, decay, gain, eps, eps_inside_sqrt=True):
        """h = decay·h + gain·g², then p -= lr·g / √(h + eps) (or / (√h + eps)), in place."""
        kernel = "rms_update"
        param, grad = self._update_args(kernel, param, grad, h=h)
        number = self._number
        self.impl.rms_update(param, grad, h, number(lr, "lr", kernel),
                             self._fraction(decay, "decay", kernel), number(gain, "gain", kernel),
                             number(eps, "eps", kernel), bool(eps_inside_sqrt))
