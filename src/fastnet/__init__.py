"""fastnet: the networks of "Deep Learning from Scratch", on compiled kernels.

Arrays are plain NumPy arrays. Kernels come from the current backend
("cython" by default, "numpy" as the readable reference, "cupy" on a GPU).
"""

from .backend import available_backends, get_backend, set_backend, using_backend
from .threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

__all__ = [
    "available_backends",
    "get_backend",
    "get_num_threads",
    "set_backend",
    "set_num_threads",
    "using_backend",
]
