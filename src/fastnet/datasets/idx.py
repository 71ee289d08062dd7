"""A strict reader for the IDX files MNIST is distributed in.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension,
then the values in C order. The magic number's bytes are 0, 0, the type code
(0x08 = unsigned byte, the only type MNIST uses) and the number of
dimensions: 0x00000801 for a label vector, 0x00000803 for a stack of images.

The reader accepts the file raw or gzip-compressed (recognised by its first
two bytes, not by its name) and refuses anything that does not add up: a
wrong magic number, more dimensions than NumPy holds, a short header, a
payload shorter or longer than the dimensions say, more data than the file
could hold or than max_bytes allows, labels out of range. Every problem is
a ValueError that names the file, because a corrupt download should say
which file to delete.
"""

import gzip
import math
import os
import stat
import zlib

import numpy as np

from ..readers import DEFLATE_MAX_RATIO, read_up_to

__all__ = ["MAX_BYTES", "read_idx", "read_idx_images", "read_idx_labels", "read_idx_pair"]

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08
LABELS_MAGIC = 0x00000801
IMAGES_MAGIC = 0x00000803
# The largest array read_idx reads unless told otherwise (max_bytes=); full
# MNIST's training images are 47 MB. Read when read_idx is called.
MAX_BYTES = 1 << 30
# How far past the array a gzip stream is read to say how much is extra.
_TRAILING_PROBE = 1 << 16
# The magic number allows 255 dimensions; NumPy 1.x arrays hold at most 32
# (2.x: 64). MNIST uses 1 and 3.
_MAX_DIMS = 32


def read_idx(path, ndim=None, *, max_bytes=None):
    """The unsigned-byte array stored in the IDX file at `path` (raw or .gz).

    ndim: the number of dimensions the file must have (None: any).
    max_bytes: the largest array to read (None: MAX_BYTES, 1 GiB).
    Returns a writable uint8 array shaped as the header says.

    The size the header declares is checked against the file's own size
    (and for gzip, the most its compressed bytes can inflate to) and
    against max_bytes before anything is allocated, and a gzip stream is
    inflated only as far as the declared array (plus a little, to see
    whether more follows): a small file cannot make it allocate or
    decompress gigabytes.
    """
    path = os.fspath(path)
    cap = MAX_BYTES if max_bytes is None else max_bytes
    with open(path, "rb") as raw:
        info = os.fstat(raw.fileno())
        if not stat.S_ISREG(info.st_mode):  # /dev/zero, a pipe: no size to check against
            raise ValueError(f"{path}: not a regular file")
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            return _read_array(raw, path, ndim, cap, info.st_size, info.st_size)
        with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
            try:
                return _read_array(stream, path, ndim, cap, None,
                                   info.st_size * DEFLATE_MAX_RATIO)
            except (OSError, EOFError, zlib.error) as exc:
                # BadGzipFile is an OSError; a cut-off stream raises EOFError.
                raise ValueError(f"{path}: corrupt gzip stream ({exc})") from None


def _read_array(stream, path, ndim, cap, size, most):
    """Header, then data; `size`: the exact byte count (raw) or None (gzip), `most`: a bound."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(magic)} bytes)")
    zero0, zero1, type_code, n_dims = magic
    if zero0 != 0 or zero1 != 0 or type_code != _UBYTE or n_dims == 0:
        raise ValueError(
            f"{path}: bad magic number 0x{int.from_bytes(magic, 'big'):08x}; an unsigned-byte "
            f"IDX file starts with 0x000008NN (labels 0x{LABELS_MAGIC:08x}, images "
            f"0x{IMAGES_MAGIC:08x})"
        )
    if n_dims > _MAX_DIMS:
        raise ValueError(f"{path}: header declares {n_dims} dimensions; "
                         f"at most {_MAX_DIMS} are supported")
    if ndim is not None and n_dims != ndim:
        raise ValueError(f"{path}: has {n_dims} dimension(s), expected {ndim}")
    header_size = 4 + 4 * n_dims
    dims = stream.read(4 * n_dims)
    if len(dims) < 4 * n_dims:
        raise ValueError(
            f"{path}: truncated header ({4 + len(dims)} bytes, {header_size} needed "
            f"for {n_dims} dimensions)"
        )
    shape = tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(n_dims))
    count = math.prod(shape)  # Python ints: no overflow, however large the dimensions
    expected = header_size + count
    if expected > most:
        what = "the file" if size is not None else "a gzip stream of this size"
        held = most if size is not None else most // DEFLATE_MAX_RATIO
        raise ValueError(
            f"{path}: truncated data: dimensions {shape} need {expected} bytes, "
            f"more than {what} ({held} bytes) can hold"
        )
    if count > cap:
        raise ValueError(
            f"{path}: dimensions {shape} declare {count} bytes of data, more than "
            f"max_bytes={cap}; pass a larger max_bytes to read_idx if the file is right"
        )
    if size is not None and size > expected:
        raise ValueError(f"{path}: {size - expected} trailing bytes after the {shape} array")
    data = read_up_to(stream, count)
    if len(data) < count:
        raise ValueError(
            f"{path}: truncated data: dimensions {shape} need {expected} bytes, "
            f"the file has {header_size + len(data)}"
        )
    extra = len(stream.read(_TRAILING_PROBE))  # at the end, gzip checks its CRC here
    if extra:
        more = "or more " if extra == _TRAILING_PROBE else ""
        raise ValueError(f"{path}: {extra} {more}trailing bytes after the {shape} array")
    return data.reshape(shape)


def read_idx_images(path, image_shape=None):
    """Images (N, rows, cols) uint8 from an IDX image file.

    image_shape: (rows, cols) every image must have, e.g. (28, 28); None: any.
    """
    images = read_idx(path, ndim=3)
    if image_shape is not None and images.shape[1:] != tuple(image_shape):
        raise ValueError(
            f"{os.fspath(path)}: images are {images.shape[1]}x{images.shape[2]}, "
            f"expected {image_shape[0]}x{image_shape[1]}"
        )
    return images


def read_idx_labels(path, num_classes=10):
    """Labels (N,) uint8 from an IDX label file; each must be < num_classes."""
    labels = read_idx(path, ndim=1)
    if labels.size and int(labels.max()) >= num_classes:
        bad = int(np.flatnonzero(labels >= num_classes)[0])
        raise ValueError(
            f"{os.fspath(path)}: label {int(labels[bad])} at index {bad} is out of "
            f"range [0, {num_classes})"
        )
    return labels


def read_idx_pair(images_path, labels_path, image_shape=(28, 28), num_classes=10):
    """(images, labels) from two IDX files that must hold the same number of samples."""
    images = read_idx_images(images_path, image_shape)
    labels = read_idx_labels(labels_path, num_classes)
    if len(images) != len(labels):
        raise ValueError(
            f"{os.fspath(images_path)} holds {len(images)} images but "
            f"{os.fspath(labels_path)} holds {len(labels)} labels"
        )
    return images, labels
