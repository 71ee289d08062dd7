"""fastnet: the networks of "Deep Learning from Scratch", on compiled kernels.

Arrays are plain NumPy arrays (CuPy arrays on the GPU, moved there with
`fastnet.to_device`). Kernels come from the current backend ("cython" by
default, "numpy" as the readable reference, "cupy" on a GPU).
"""

import os

# OpenMP's default makes idle threads spin. When the machine's other cores are
# busy (shared CI machines, a laptop under load), a spinning team stalls every
# parallel region for a scheduler time slice, so a second thread can make a
# run many times slower (measured: benchmarks/README.md). Sleeping threads
# cost microseconds to wake, which the kernels' minimum work per parallel
# region makes negligible. It must be set before libgomp loads; a value the
# user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .backend import available_backends, get_backend, set_backend, using_backend  # noqa: E402
from .device import to_device, to_numpy  # noqa: E402
from .numgrad import gradient_check  # noqa: E402
from .threads import get_num_threads, set_num_threads  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "available_backends",
    "get_backend",
    "get_num_threads",
    "gradient_check",
    "set_backend",
    "set_num_threads",
    "to_device",
    "to_numpy",
    "using_backend",
]
