"""Reading files fastnet did not write, without trusting them.

A data file or a saved network can come from anyone, and the usual readers
trust what a file says: `pickle.load` runs whatever functions it names,
`np.load` allocates whatever size a header declares. These readers check
first and allocate after, and report every problem as one ValueError naming
the file:

- npz.py: `NpzReader`, the arrays of an .npz archive, each header checked
  against what the archive can hold and against a cap;
- safe_pickle.py: an unpickler that admits NumPy arrays (and, when asked,
  lists) and nothing else;
- streams.py: `read_up_to`, a bounded read of a (decompressing) stream into
  an array, and `DEFLATE_MAX_RATIO`, the most deflate can inflate.

fastnet.nets (parameter files), fastnet.datasets (IDX files) and
fastnet.keras (model files, Keras' dataset cache) read through them.
"""

from . import safe_pickle
from .npz import MAX_BYTES, NpzReader
from .streams import DEFLATE_MAX_RATIO, read_up_to

__all__ = ["DEFLATE_MAX_RATIO", "MAX_BYTES", "NpzReader", "read_up_to", "safe_pickle"]
