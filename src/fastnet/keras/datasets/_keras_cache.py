"""Where Keras keeps its downloaded data sets, and reading its .npz files safely."""

import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["cache_dir", "find", "load_npz"]

# Where Keras downloads each file from (told to the user, never fetched here).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cache_dir():
    """$KERAS_HOME/datasets, else ~/.keras/datasets (Keras' own default)."""
    home = os.environ.get("KERAS_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets"


def find(filename, dataset):
    """The path of Keras' cached `filename`, or a FileNotFoundError saying where to put it."""
    path = Path(filename).expanduser()
    if path.is_absolute() and path.is_file():
        return path
    candidate = cache_dir() / filename
    if candidate.is_file():
        return candidate
    raise FileNotFoundError(
        f"{dataset}: {candidate} not found. fastnet does not download this data set; "
        f"download {ORIGIN}{Path(filename).name} (or run Keras' own load_data once) and put "
        f"it in {cache_dir()} (set KERAS_HOME to use another directory)"
    )


class _ArraysOnly(pickle.Unpickler):
    """Unpickles NumPy arrays and lists of ints, and refuses everything else.

    Keras stores the word-index sequences of IMDB and Reuters as NumPy
    object arrays, which NumPy can only read with pickle. Pickle may run any
    code; this unpickler allows only the few classes such arrays are made of.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("builtins", "list"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def load_npz(path):
    """The arrays of a .npz file as a dict; object arrays via the restricted unpickler."""
    out = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            key = member[:-4] if member.endswith(".npy") else member
            with archive.open(member) as f:
                raw = io.BytesIO(f.read())
            version = np.lib.format.read_magic(raw)
            if version == (1, 0):
                _, _, dtype = np.lib.format.read_array_header_1_0(raw)
            else:
                _, _, dtype = np.lib.format.read_array_header_2_0(raw)
            if dtype.hasobject:
                out[key] = _ArraysOnly(raw).load()
            else:
                raw.seek(0)
                out[key] = np.lib.format.read_array(raw, allow_pickle=False)
    return out
