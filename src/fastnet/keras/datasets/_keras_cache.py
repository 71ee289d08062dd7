"""Where Keras keeps its downloaded data sets, and reading its .npz files safely."""

import os
from pathlib import Path

from ...readers import NpzReader, safe_pickle

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


def load_npz(path, names, objects=True):
    """The arrays `names` of Keras' .npz file at `path`, as a dict.

    Read by fastnet's checked .npz reader (fastnet/readers/npz.py): declared sizes
    are checked before anything is allocated, and object arrays (IMDB's and
    Reuters' word-id lists) are unpickled admitting only arrays and lists,
    never code (objects=False refuses them). Any problem is a ValueError
    naming the file.
    """
    with NpzReader(path) as npz:
        missing = [name for name in names if name not in npz.names]
        if missing:
            raise ValueError(f"{path}: no array {missing[0]!r}; this data set's file holds "
                             f"{list(names)} (it has {npz.names})")
        allowed = safe_pickle.ARRAYS_AND_LISTS if objects else None
        return {name: npz.array(name, allowed) for name in names}
