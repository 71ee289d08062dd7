"""`fastnet.backend.reference`: the "numpy" backend under its older name.

The reference kernels live in the package fastnet.backend.numpy, one module
per family; this name stays importable because the README and users' code
cite it.
"""

from .numpy import *  # noqa: F403
from .numpy import __all__  # noqa: F401
