"""The IDX reader: valid files round-trip, every kind of damage is a ValueError naming the file."""

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

from fastnet.datasets import idx

BUNDLED = Path(idx.__file__).parent / "data"


def idx_bytes(array, type_code=0x08, ndim=None):
    """An IDX file's bytes, written independently of the reader under test."""
    array = np.asarray(array, dtype=np.uint8)
    ndim = array.ndim if ndim is None else ndim
    header = bytes([0, 0, type_code, ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write(tmp_path, name, data, compress=False):
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def named(path):
    return re.escape(str(path))


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, size=(7, 28, 28), dtype=np.uint8)


@pytest.fixture
def labels():
    return np.array([3, 1, 4, 1, 5, 9, 2], dtype=np.uint8)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
def test_round_trip(tmp_path, images, labels, compress):
    # The name says nothing about compression: the reader looks at the bytes.
    img_path = write(tmp_path, "img.idx", idx_bytes(images), compress)
    lbl_path = write(tmp_path, "lbl.idx", idx_bytes(labels), compress)
    got_images, got_labels = idx.read_idx_pair(img_path, lbl_path)
    assert got_images.dtype == np.uint8 and got_labels.dtype == np.uint8
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    # Learners normalise in place: the arrays must be writable.
    assert got_images.flags.writeable and got_labels.flags.writeable


def test_any_shape_and_empty(tmp_path):
    cube = np.arange(2 * 3 * 5, dtype=np.uint8).reshape(2, 3, 5)
    np.testing.assert_array_equal(idx.read_idx(write(tmp_path, "c", idx_bytes(cube))), cube)
    empty = np.zeros((0, 28, 28), np.uint8)
    assert idx.read_idx_images(write(tmp_path, "e", idx_bytes(empty))).shape == (0, 28, 28)
    assert idx.read_idx_labels(write(tmp_path, "l", idx_bytes(np.zeros(0)))).shape == (0,)


@pytest.mark.parametrize(
    "header",
    [
        bytes([0, 0, 0x09, 1]),  # signed byte: not what MNIST uses
        bytes([0, 0, 0x0D, 1]),  # float
        bytes([1, 0, 0x08, 1]),  # nonzero leading bytes
        bytes([0x1F, 0x8C, 0x08, 1]),
        bytes([0, 0, 0x08, 0]),  # zero dimensions
    ],
)
def test_wrong_magic(tmp_path, header, labels):
    path = write(tmp_path, "bad-magic", header + idx_bytes(labels)[4:])
    with pytest.raises(ValueError, match=f"{named(path)}.*magic"):
        idx.read_idx(path)


@pytest.mark.parametrize("n_dims", [33, 100, 255])
def test_more_dimensions_than_numpy_holds(tmp_path, n_dims):
    # 100 dimensions of size 1 was NumPy's "maximum supported dimension" error, file unnamed.
    header = bytes([0, 0, 0x08, n_dims]) + (1).to_bytes(4, "big") * n_dims
    path = write(tmp_path, "many-dims", header + b"\x01")
    with pytest.raises(ValueError, match=f"{named(path)}: header declares {n_dims} dimensions"):
        idx.read_idx(path)


def test_32_dimensions_still_read(tmp_path):
    cube = np.full((1,) * 32, 7, np.uint8)  # the most NumPy 1.x holds
    np.testing.assert_array_equal(idx.read_idx(write(tmp_path, "c", idx_bytes(cube))), cube)


def test_wrong_number_of_dimensions(tmp_path, images, labels):
    lbl_path = write(tmp_path, "labels", idx_bytes(labels))
    img_path = write(tmp_path, "images", idx_bytes(images))
    with pytest.raises(ValueError, match=f"{named(lbl_path)}.*1 dimension.*expected 3"):
        idx.read_idx_images(lbl_path)
    with pytest.raises(ValueError, match=f"{named(img_path)}.*3 dimension.*expected 1"):
        idx.read_idx_labels(img_path)


def test_wrong_image_size(tmp_path):
    small = np.zeros((2, 27, 28), np.uint8)
    path = write(tmp_path, "small", idx_bytes(small))
    with pytest.raises(ValueError, match=f"{named(path)}.*27x28.*expected 28x28"):
        idx.read_idx_images(path, image_shape=(28, 28))
    assert idx.read_idx_images(path).shape == (2, 27, 28)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
def test_truncated_data(tmp_path, images, compress):
    path = write(tmp_path, "cut", idx_bytes(images)[:-1], compress)
    with pytest.raises(ValueError, match=f"{named(path)}.*truncated data"):
        idx.read_idx(path)


@pytest.mark.parametrize("keep", [0, 3, 4, 9, 15])
def test_truncated_header(tmp_path, images, keep):
    path = write(tmp_path, "short", idx_bytes(images)[:keep])
    with pytest.raises(ValueError, match=named(path)):
        idx.read_idx(path)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
def test_trailing_bytes(tmp_path, labels, compress):
    path = write(tmp_path, "long", idx_bytes(labels) + b"\0\0", compress)
    with pytest.raises(ValueError, match=f"{named(path)}.*2 trailing bytes"):
        idx.read_idx(path)


def test_count_mismatch(tmp_path, images, labels):
    img_path = write(tmp_path, "images", idx_bytes(images))
    lbl_path = write(tmp_path, "labels", idx_bytes(labels[:-1]))
    with pytest.raises(ValueError, match=f"{named(img_path)}.*7 images.*{named(lbl_path)}.*6"):
        idx.read_idx_pair(img_path, lbl_path)


def test_label_out_of_range(tmp_path):
    path = write(tmp_path, "labels", idx_bytes([0, 9, 10, 2]))
    with pytest.raises(ValueError, match=f"{named(path)}.*label 10 at index 2"):
        idx.read_idx_labels(path)
    np.testing.assert_array_equal(idx.read_idx_labels(path, num_classes=11), [0, 9, 10, 2])


def test_corrupt_gzip(tmp_path, images):
    stream = bytearray(gzip.compress(idx_bytes(images)))
    stream[len(stream) // 2] ^= 0xFF  # damage the deflate data or its CRC
    damaged = write(tmp_path, "damaged.gz", bytes(stream))
    with pytest.raises(ValueError, match=f"{named(damaged)}.*corrupt gzip"):
        idx.read_idx(damaged)
    cut = write(tmp_path, "cut.gz", gzip.compress(idx_bytes(images))[:-10])
    with pytest.raises(ValueError, match=f"{named(cut)}.*corrupt gzip"):
        idx.read_idx(cut)
    bad_crc = bytearray(gzip.compress(idx_bytes(images)))
    bad_crc[-5] ^= 0x01  # the stored CRC-32 (the last 8 bytes are CRC + size)
    bad_crc_path = write(tmp_path, "crc.gz", bytes(bad_crc))
    with pytest.raises(ValueError, match=f"{named(bad_crc_path)}.*corrupt gzip"):
        idx.read_idx(bad_crc_path)


def test_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        idx.read_idx(tmp_path / "nope")


def test_bundled_digits_parse():
    images, labels = idx.read_idx_pair(
        BUNDLED / "mnist5k-images-idx3-ubyte.gz", BUNDLED / "mnist5k-labels-idx1-ubyte.gz"
    )
    assert images.shape == (5000, 28, 28)
    # Sorted by class, 500 each, as the data README says.
    np.testing.assert_array_equal(labels, np.repeat(np.arange(10), 500))
    assert images.max() == 255 and images.min() == 0


def test_gzip_declaring_more_than_it_can_inflate_to(tmp_path):
    # deflate inflates at most 1032:1, so a ~30-byte stream cannot hold 2 GB
    path = write(tmp_path, "liar.gz", bytes([0, 0, 8, 1]) + (2_000_000_000).to_bytes(4, "big"),
                 compress=True)
    with pytest.raises(ValueError, match=f"{named(path)}.*more than a gzip stream"):
        idx.read_idx(path)


def test_a_directory_is_not_an_idx_file(tmp_path):
    with pytest.raises((ValueError, OSError), match=named(tmp_path)):
        idx.read_idx(tmp_path)
