"""MNIST with the book's `load_mnist`, plus a bundled offline subset.

Where the digits come from (source=...):

- "full": the four standard IDX files (60,000 train + 10,000 test), read from
  the cache directory (see `data_dir()`; FASTNET_DATA overrides it) and
  downloaded there first when missing, from the mirrors below, each file
  checked against its SHA-256 before it is kept.
- "bundled": 5,000 real digits shipped inside fastnet (500 per class), split
  into 4,000 train / 1,000 test, stratified (400 / 100 per class) and the
  same on every machine. Enough to train an MLP past 90 % in seconds.
- "auto" (default): "full" if it is cached or can be downloaded, else
  "bundled" with a one-line `BundledDataWarning` saying how to get the rest.

FASTNET_OFFLINE=1 forbids any network access: "auto" then uses the cache or
the bundled subset, "full" only the cache.

Files already in the cache are not re-hashed; they are parsed strictly, so
a damaged one raises a ValueError naming it (delete it to download again).
"""

import os
import warnings
from pathlib import Path

import numpy as np

from ._cache import data_dir, data_dir_error, describe_data_dir, offline
from ._download import DownloadError, fetch
from .idx import read_idx_pair

__all__ = ["BundledDataWarning", "MIRRORS", "load_mnist"]

# Base URLs tried in order. The original host (yann.lecun.com) answers 403;
# these are the copies PyTorch (torchvision) and TensorFlow download from.
# FASTNET_MNIST_MIRRORS (URLs separated by spaces or commas) replaces the list.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

# name -> (bytes, SHA-256) of the gzipped files as the mirrors serve them.
# Source: the published checksums of TensorFlow Datasets
# (url_checksums/mnist.txt, for the storage.googleapis.com copy), which
# several independent projects list identically for the PyTorch S3 copy. NOT
# re-verified by fastnet's authors: the machine this was written on had no
# internet access. A wrong value here makes "full" fail loudly, never
# accept bad data.
FILES = {
    "train-images-idx3-ubyte.gz": (
        9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train-labels-idx1-ubyte.gz": (
        28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "t10k-images-idx3-ubyte.gz": (
        1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "t10k-labels-idx1-ubyte.gz": (
        4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}
TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

BUNDLED_DIR = Path(__file__).parent / "data"
BUNDLED_FILES = ("mnist5k-images-idx3-ubyte.gz", "mnist5k-labels-idx1-ubyte.gz")
BUNDLED_TEST_PER_CLASS = 100
BUNDLED_SEED = 1

SOURCES = ("auto", "full", "bundled")


class BundledDataWarning(UserWarning):
    """load_mnist fell back to the bundled 5,000 digits."""


def load_mnist(normalize=True, flatten=True, one_hot_label=False, *, source="auto"):
    """MNIST as the book returns it: ((x_train, t_train), (x_test, t_test)).

    normalize: images float32 in [0, 1] (else uint8 0..255).
    flatten: images (N, 784) (else (N, 1, 28, 28)).
    one_hot_label: labels (N, 10) float64 one-hot (else uint8 digits).
    source: "auto", "full" or "bundled" (see the module docstring).
    """
    normalize = _flag("normalize", normalize)
    flatten = _flag("flatten", flatten)
    one_hot_label = _flag("one_hot_label", one_hot_label)
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, one of {SOURCES}, got {source!r}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if source == "bundled":
        train, test = _bundled_split()
    elif source == "full":
        train, test = _full()
    else:
        try:
            train, test = _full()
        except DownloadError as exc:
            warnings.warn(
                BundledDataWarning(
                    f"full MNIST unavailable ({exc}); using the 5,000 bundled digits "
                    f"(4,000 train / 1,000 test). For all 70,000, go online once or put "
                    f"the four IDX .gz files in {data_dir()} (or set FASTNET_DATA); "
                    f"source='bundled' skips the download and this warning."
                ),
                stacklevel=2,
            )
            train, test = _bundled_split()
    return (
        _format(*train, normalize, flatten, one_hot_label),
        _format(*test, normalize, flatten, one_hot_label),
    )


def _flag(name, value):
    """`value` as a bool; the book's callers pass True/False or 1/0.

    Anything else is refused: the string "False" is truthy and would quietly
    mean True, and an array has no single truth value.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def _mirrors():
    override = os.environ.get("FASTNET_MNIST_MIRRORS")
    if override:
        urls = override.replace(",", " ").split()
        return [url if url.endswith("/") else url + "/" for url in urls]
    return list(MIRRORS)


def _full():
    directory = data_dir()
    try:
        # A file where the folder should be, or a folder that cannot be read or
        # created, is a DownloadError, so that source="auto" still falls back.
        if directory.exists() and not directory.is_dir():
            raise NotADirectoryError("it is a file, not a folder")
        missing = [name for name in TRAIN_FILES + TEST_FILES if not (directory / name).is_file()]
        if missing and not offline():
            directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise data_dir_error(directory, exc) from exc
    for name in missing:
        if offline():
            raise DownloadError(
                f"FASTNET_OFFLINE is set and {describe_data_dir(directory)} has no {name}")
        size, sha256 = FILES[name]
        # One file no mirror can serve means none will: stop at the first.
        fetch(name, sha256, _mirrors(), directory, size=size)
    train = read_idx_pair(*(directory / name for name in TRAIN_FILES))
    test = read_idx_pair(*(directory / name for name in TEST_FILES))
    return train, test


def _permutation(rng, n):
    # Sorting uniform draws instead of rng.permutation: NumPy promises the
    # random() stream across versions, not the shuffling algorithm.
    return np.argsort(rng.random(n), kind="stable")


def _bundled_split():
    images, labels = read_idx_pair(*(BUNDLED_DIR / name for name in BUNDLED_FILES))
    rng = np.random.default_rng(BUNDLED_SEED)
    train_parts, test_parts = [], []
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        members = members[_permutation(rng, len(members))]
        test_parts.append(members[:BUNDLED_TEST_PER_CLASS])
        train_parts.append(members[BUNDLED_TEST_PER_CLASS:])
    # Interleave the classes, so a prefix of either set has every digit.
    train = np.concatenate(train_parts)
    train = train[_permutation(rng, len(train))]
    test = np.concatenate(test_parts)
    test = test[_permutation(rng, len(test))]
    return (images[train], labels[train]), (images[test], labels[test])


def _format(images, labels, normalize, flatten, one_hot_label):
    n = len(images)
    x = images.reshape(n, 784) if flatten else images.reshape(n, 1, 28, 28)
    if normalize:
        x = x.astype(np.float32)
        x /= 255.0
    t = labels
    if one_hot_label:
        t = np.zeros((n, 10))
        t[np.arange(n), labels] = 1.0
    return x, t
