"""The book's common/gradient.py: central differences with h = 1e-4.

fastnet.gradient has the book's contract already (x perturbed in place and
restored, f called with x), so this module only re-exports it.
"""

import numpy as np

from fastnet.gradient import _numerical_gradient_1d, numerical_gradient, numerical_gradient_2d

__all__ = ["np", "numerical_gradient", "numerical_gradient_2d", "_numerical_gradient_1d"]
