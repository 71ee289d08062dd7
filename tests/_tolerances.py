"""The tolerance table every kernel test and the fuzz compare with.

float32 kernels reorder sums (blocking, SIMD, threads), so they agree with the
reference to a few ulps of the accumulated size. A module of its own, not
conftest.py: `from conftest import` picks whichever conftest pytest loaded last.
"""

import numpy as np

RTOL = {np.float32: 2e-5, np.float64: 1e-12}
ATOL = {np.float32: 2e-6, np.float64: 1e-13}
