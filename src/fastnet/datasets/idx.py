"""A strict reader for the IDX files MNIST is distributed in.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension,
then the values in C order. The magic number's bytes are 0, 0, the type code
(0x08 = unsigned byte, the only type MNIST uses) and the number of
dimensions: 0x00000801 for a label vector, 0x00000803 for a stack of images.

The reader accepts the file raw or gzip-compressed (recognised by its first
two bytes, not by its name) and refuses anything that does not add up: a
wrong magic number, a short header, a payload shorter or longer than the
dimensions say, labels out of range. Every problem is a ValueError that
names the file, because a corrupt download should say which file to delete.
"""

import gzip
import os
import zlib

import numpy as np

__all__ = ["read_idx", "read_idx_images", "read_idx_labels", "read_idx_pair"]

_GZIP_MAGIC = b"\x1f\x8b"
_UBYTE = 0x08
LABELS_MAGIC = 0x00000801
IMAGES_MAGIC = 0x00000803


def _read_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        # BadGzipFile is an OSError; a cut-off stream raises EOFError.
        raise ValueError(f"{path}: corrupt gzip stream ({exc})") from None


def read_idx(path, ndim=None):
    """The unsigned-byte array stored in the IDX file at `path` (raw or .gz).

    ndim: the number of dimensions the file must have (None: any).
    Returns a writable uint8 array shaped as the header says.
    """
    path = os.fspath(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    zero0, zero1, type_code, n_dims = data[:4]
    if zero0 != 0 or zero1 != 0 or type_code != _UBYTE or n_dims == 0:
        magic = int.from_bytes(data[:4], "big")
        raise ValueError(
            f"{path}: bad magic number 0x{magic:08x}; an unsigned-byte IDX file "
            f"starts with 0x000008NN (labels 0x{LABELS_MAGIC:08x}, images 0x{IMAGES_MAGIC:08x})"
        )
    if ndim is not None and n_dims != ndim:
        raise ValueError(f"{path}: has {n_dims} dimension(s), expected {ndim}")
    header_size = 4 + 4 * n_dims
    if len(data) < header_size:
        raise ValueError(
            f"{path}: truncated header ({len(data)} bytes, {header_size} needed "
            f"for {n_dims} dimensions)"
        )
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims)
    )
    expected = header_size + int(np.prod(shape, dtype=np.int64))
    if len(data) < expected:
        raise ValueError(
            f"{path}: truncated data: dimensions {shape} need {expected} bytes, "
            f"the file has {len(data)}"
        )
    if len(data) > expected:
        raise ValueError(
            f"{path}: {len(data) - expected} trailing bytes after the {shape} array"
        )
    # .copy(): frombuffer over bytes is read-only, and learners normalise in place.
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape).copy()


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
