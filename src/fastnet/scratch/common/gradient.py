"""The book's common/gradient.py: central differences with h = 1e-4.

fastnet.gradient has the book's contract already (x perturbed in place and
restored, f called with x), so this module only re-exports it.
"""

import numpy as np

from fastnet.gradient import numerical_gradient, numerical_gradient_1d, numerical_gradient_2d

# The book's module names its 1-D helper with an underscore; scripts may import it.
_numerical_gradient_1d = numerical_gradient_1d

__all__ = ["np", "numerical_gradient", "numerical_gradient_2d", "_numerical_gradient_1d"]
