"""Where Keras keeps its data sets, fetching the missing ones, and reading its .npz files safely."""

import os
import tempfile
from pathlib import Path

from ...datasets import DownloadError
from ...readers import NpzReader, safe_pickle
from . import _get_file

__all__ = ["FILES", "ORIGIN", "cache_dir", "find", "get", "load_npz"]

# Where Keras 3 downloads its data sets from (keras/src/datasets/*.py).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

# Keras' name of each file -> (algorithm, hex digest), as Keras 3 checks them.
# Keras publishes only an MD5 for the word indexes; they are parsed strictly
# as JSON, never run, so a weak digest costs integrity, not safety.
FILES = {
    "imdb.npz": ("sha256", "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "reuters.npz": ("sha256",
                    "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    "imdb_word_index.json": ("md5", "bfafd718b763782e994055a2d397834f"),
    "reuters_word_index.json": ("md5", "4d44cc38712099c9e383dc6e5f11a921"),
}


def _keras_home():
    """$KERAS_HOME, else ~/.keras (/tmp/.keras when ~ cannot be written), as Keras."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser()
    base = Path.home()
    return (base if os.access(base, os.W_OK) else _fallback_base()) / ".keras"


def _fallback_base():
    # Keras' own choice when the cache cannot be written: /tmp, else the system's temp dir.
    return Path("/tmp") if os.path.isdir("/tmp") else Path(tempfile.gettempdir())


def _can_write(path):
    """Whether `path` can be written, or created (its nearest existing folder written)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return os.access(path, os.W_OK)


def cache_dir():
    """Where Keras keeps (and downloads) data sets: <Keras home>/datasets, or
    /tmp/.keras/datasets when the home cannot be written, as Keras' get_file."""
    home = _keras_home()
    return (home if _can_write(home) else _fallback_base() / ".keras") / "datasets"


def _cache_dirs():
    """Where a cached file is looked for: the Keras home's datasets first (a
    read-only, pre-filled cache is read), then where downloads would go."""
    home, writable = _keras_home() / "datasets", cache_dir()
    return [home] if home == writable else [home, writable]


def _offline():
    # The switch fastnet's own MNIST download obeys (fastnet.datasets).
    return os.environ.get("FASTNET_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def _where_to_put_it(url):
    return (f"download {url} (or run Keras' own load_data once) and put it in {cache_dir()} "
            "(set KERAS_HOME to use another directory)")


def find(filename, dataset):
    """The path of Keras' cached `filename`, or a FileNotFoundError saying where to put it."""
    path = Path(filename).expanduser()
    if path.is_absolute() and path.is_file():
        return path
    for folder in _cache_dirs():
        if (folder / filename).is_file():
            return folder / filename
    raise FileNotFoundError(f"{dataset}: {cache_dir() / filename} not found; "
                            + _where_to_put_it(ORIGIN + Path(filename).name))


def get(filename, keras_name, dataset):
    """`filename` from Keras' cache, downloaded there from Keras' `keras_name` when missing.

    A file already there is used as it is, like Keras' offline path (the
    loaders parse it strictly). Keras saves a download under the caller's
    `filename`, so fastnet does too; a path with folders is never downloaded
    into (Keras 3 refuses one). FASTNET_OFFLINE=1 forbids the download.
    """
    try:
        return find(filename, dataset)
    except FileNotFoundError as exc:
        missing = exc
    url = ORIGIN + keras_name
    filename = os.fspath(filename)  # Keras takes a str or a Path
    target = cache_dir() / filename
    if _offline() or Path(filename).name != filename:
        why = "FASTNET_OFFLINE is set" if _offline() else "a path with folders is not downloaded"
        raise FileNotFoundError(f"{missing} ({why})") from None
    algorithm, digest = FILES[keras_name]
    print(f"Downloading data from {url}")  # Keras says this too: the wait has a reason
    try:
        return _get_file.download(url, target, algorithm, digest)
    except OSError as exc:  # DownloadError, and the directory not writable
        raise DownloadError(f"{dataset}: {target} is not in the cache and could not be "
                            f"downloaded from {url}: {exc}. Go online, or "
                            + _where_to_put_it(url)) from exc


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
