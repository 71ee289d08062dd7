"""The book's common/optimizer.py: SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam.

fastnet.optimizers has the book's contract (same constructors, defaults,
state attributes `v`, `h`, `m`, `iter`, and `update(params, grads)`
changing every params[key] in place), so they are re-exported as they are;
each update is one fused kernel pass instead of NumPy's temporaries.
"""

import numpy as np

from fastnet.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
