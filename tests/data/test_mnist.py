"""load_mnist: the book's return types, the bundled split, download, checksum, fallback.

Only loopback servers are contacted; FASTNET_OFFLINE=1 guards every test
that must not touch the network at all.
"""

import collections
import functools
import gzip
import hashlib
import http.server
import socket
import threading

import numpy as np
import pytest

from fastnet import datasets
from fastnet.datasets import BundledDataWarning, DownloadError, load_mnist, mnist

FULL_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def idx_gz(array):
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes())


@pytest.fixture
def synthetic():
    """Small stand-ins for the four files: name -> gz bytes, plus the raw arrays."""
    rng = np.random.default_rng(42)
    arrays = {
        "train": (rng.integers(0, 256, (30, 28, 28)), rng.integers(0, 10, 30)),
        "test": (rng.integers(0, 256, (12, 28, 28)), rng.integers(0, 10, 12)),
    }
    files = {
        FULL_NAMES[0]: idx_gz(arrays["train"][0]),
        FULL_NAMES[1]: idx_gz(arrays["train"][1]),
        FULL_NAMES[2]: idx_gz(arrays["test"][0]),
        FULL_NAMES[3]: idx_gz(arrays["test"][1]),
    }
    return files, arrays


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty FASTNET_DATA, no proxies, network allowed only where a test points it."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("FASTNET_DATA", str(cache))
    monkeypatch.delenv("FASTNET_OFFLINE", raising=False)
    monkeypatch.delenv("FASTNET_MNIST_MIRRORS", raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(mnist, "MIRRORS", [])
    return cache


def inject_checksums(monkeypatch, files):
    table = {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()}
    monkeypatch.setattr(mnist, "FILES", table)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A static HTTP server on 127.0.0.1 in a thread: (root dir, base URL, requested paths)."""
    root = tmp_path / "www"
    root.mkdir()
    requests = []

    class Handler(_QuietHandler):
        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/", requests
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# --- the book's return types, on synthetic "full" files in the cache ------------------


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("flatten", [True, False])
@pytest.mark.parametrize("one_hot_label", [True, False])
def test_book_return_types(isolated, monkeypatch, synthetic, normalize, flatten, one_hot_label):
    files, arrays = synthetic
    isolated.mkdir()
    for name, data in files.items():
        (isolated / name).write_bytes(data)
    monkeypatch.setenv("FASTNET_OFFLINE", "1")  # the cache alone must suffice

    result = load_mnist(normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)
    assert len(result) == 2
    for (x, t), (images, labels) in zip(result, (arrays["train"], arrays["test"])):
        n = len(labels)
        want_x = images.astype(np.float32) / np.float32(255) if normalize else images
        want_x = want_x.reshape(n, 784) if flatten else want_x.reshape(n, 1, 28, 28)
        assert x.dtype == (np.float32 if normalize else np.uint8)
        assert x.shape == want_x.shape
        np.testing.assert_array_equal(x, want_x)
        if one_hot_label:
            assert t.dtype == np.float64 and t.shape == (n, 10)
            np.testing.assert_array_equal(t, np.eye(10)[labels])
        else:
            assert t.dtype == np.uint8 and t.shape == (n,)
            np.testing.assert_array_equal(t, labels)


def test_bad_source_argument():
    with pytest.raises(ValueError, match="source"):
        load_mnist(source="internet")


@pytest.mark.parametrize("flag", ["normalize", "flatten", "one_hot_label"])
@pytest.mark.parametrize("value", ["False", "no", np.array([1, 0]), None, 2, 1.0, [True]])
def test_flags_must_be_booleans(flag, value):
    # "False" is truthy and used to mean True; an array raised NumPy's
    # "truth value ... is ambiguous" from deep inside the formatting.
    with pytest.raises(TypeError, match=flag):
        load_mnist(source="bundled", **{flag: value})


def test_flags_accept_what_the_book_passes():
    x, t = load_mnist(normalize=np.False_, flatten=0, one_hot_label=1, source="bundled")[1]
    assert x.dtype == np.uint8 and x.shape == (1000, 1, 28, 28) and t.shape == (1000, 10)


def test_source_must_be_a_string():
    for source in (np.array(["bundled", "full"]), b"bundled", ["bundled"]):
        with pytest.raises(TypeError, match="source"):
            load_mnist(source=source)


def test_corrupt_cached_file_names_it(isolated, monkeypatch, synthetic):
    files, _ = synthetic
    isolated.mkdir()
    for name, data in files.items():
        (isolated / name).write_bytes(data)
    (isolated / FULL_NAMES[1]).write_bytes(files[FULL_NAMES[1]][:-12])
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    with pytest.raises(ValueError, match=FULL_NAMES[1]):
        load_mnist()


def test_data_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path))
    assert datasets.data_dir() == tmp_path
    monkeypatch.delenv("FASTNET_DATA")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.data_dir() == tmp_path / "xdg" / "fastnet"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert datasets.data_dir().parts[-2:] == (".cache", "fastnet")


# --- the bundled split ------------------------------------------------------------------


def bundled_raw():
    return datasets.idx.read_idx_pair(
        mnist.BUNDLED_DIR / "mnist5k-images-idx3-ubyte.gz",
        mnist.BUNDLED_DIR / "mnist5k-labels-idx1-ubyte.gz",
    )


def test_bundled_split_is_stratified_and_disjoint():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, source="bundled")
    assert x_train.shape == (4000, 784) and x_test.shape == (1000, 784)
    np.testing.assert_array_equal(np.bincount(t_train, minlength=10), [400] * 10)
    np.testing.assert_array_equal(np.bincount(t_test, minlength=10), [100] * 10)

    # Together the two sets are exactly the 5,000 bundled digits, each used once,
    # with its own label (compared as multisets of (image, label) records).
    images, labels = bundled_raw()
    everything = collections.Counter(
        (img.tobytes(), int(lbl)) for img, lbl in zip(images.reshape(5000, -1), labels)
    )
    split = collections.Counter(
        (img.tobytes(), int(lbl))
        for x, t in ((x_train, t_train), (x_test, t_test))
        for img, lbl in zip(x, t)
    )
    assert split == everything
    train_keys = {img.tobytes() for img in x_train}
    assert not any(img.tobytes() in train_keys for img in x_test)

    # Interleaved: a short prefix of either set already has every digit.
    assert set(t_train[:100].tolist()) == set(range(10))
    assert set(t_test[:100].tolist()) == set(range(10))


def test_bundled_split_is_deterministic():
    first = load_mnist(normalize=False, source="bundled")
    second = load_mnist(normalize=False, source="bundled")
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    # The caller owns what it gets: changing it does not change the next load.
    first[0][0][:] = 0
    np.testing.assert_array_equal(load_mnist(normalize=False, source="bundled")[0][0], second[0][0])


# --- download, checksum and fallback (loopback only) --------------------------------------


def test_fallback_warns_once_when_no_mirror_answers(isolated, monkeypatch):
    monkeypatch.setattr(mnist, "MIRRORS", [f"http://127.0.0.1:{closed_port()}/"])
    with pytest.warns(BundledDataWarning) as record:
        (x_train, t_train), (x_test, t_test) = load_mnist()
    assert len(record) == 1
    message = str(record[0].message)
    assert "\n" not in message and "bundled" in message and str(isolated) in message
    assert record[0].filename == __file__  # points at the caller
    bundled = load_mnist(source="bundled")
    np.testing.assert_array_equal(x_train, bundled[0][0])
    np.testing.assert_array_equal(t_test, bundled[1][1])


def test_full_raises_when_no_mirror_answers(isolated, monkeypatch):
    monkeypatch.setattr(mnist, "MIRRORS", [f"http://127.0.0.1:{closed_port()}/"])
    with pytest.raises(DownloadError, match="train-images-idx3-ubyte.gz"):
        load_mnist(source="full")
    assert not isolated.exists() or not any(isolated.iterdir())


@pytest.mark.parametrize("offline", ["", "1"])
@pytest.mark.parametrize("where", ["a file", "below a file"])
def test_data_folder_that_cannot_be_used(isolated, monkeypatch, tmp_path, where, offline):
    # FASTNET_DATA naming a file (a typo) used to raise a bare FileExistsError
    # from mkdir, even with source="auto", which promises the bundled digits.
    a_file = tmp_path / "not_a_folder"
    a_file.write_text("x")
    folder = a_file if where == "a file" else a_file / "mnist"
    monkeypatch.setenv("FASTNET_DATA", str(folder))
    monkeypatch.setenv("FASTNET_OFFLINE", offline)
    monkeypatch.setattr(mnist, "MIRRORS", [f"http://127.0.0.1:{closed_port()}/"])
    with pytest.warns(BundledDataWarning, match="FASTNET_DATA") as record:
        (x_train, _), _ = load_mnist()
    assert str(folder) in str(record[0].message)
    if not (offline and where == "below a file"):  # offline, it is never created
        assert "cannot be used" in str(record[0].message)
    np.testing.assert_array_equal(x_train, load_mnist(source="bundled")[0][0])
    with pytest.raises(DownloadError, match="FASTNET_DATA") as info:
        load_mnist(source="full")
    assert str(folder) in str(info.value)
    assert a_file.read_text() == "x"


def test_fetch_reports_a_folder_it_cannot_write(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(datasets._download.tempfile, "mkstemp", refuse)
    with pytest.raises(DownloadError, match="Permission denied") as info:
        datasets._download.fetch("x.gz", "0" * 64, ["http://127.0.0.1:9/"], tmp_path)
    assert str(tmp_path) in str(info.value)


def test_offline_never_touches_the_network(isolated, monkeypatch, server, synthetic):
    root, url, requests = server
    files, _ = synthetic
    for name, data in files.items():
        (root / name).write_bytes(data)
    inject_checksums(monkeypatch, files)
    monkeypatch.setattr(mnist, "MIRRORS", [url])
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    with pytest.warns(BundledDataWarning, match="FASTNET_OFFLINE"):
        load_mnist()
    with pytest.raises(DownloadError, match="FASTNET_OFFLINE"):
        load_mnist(source="full")
    assert requests == []


def test_download_from_loopback_mirror_is_verified_and_cached(isolated, monkeypatch, server,
                                                             synthetic):
    root, url, requests = server
    files, arrays = synthetic
    for name, data in files.items():
        (root / name).write_bytes(data)
    inject_checksums(monkeypatch, files)
    # The env override replaces the module list (here: a dead mirror, then ours).
    monkeypatch.setenv("FASTNET_MNIST_MIRRORS", f"http://127.0.0.1:{closed_port()}, {url[:-1]}")

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, source="full")
    np.testing.assert_array_equal(x_train, arrays["train"][0].reshape(-1, 784))
    np.testing.assert_array_equal(t_test, arrays["test"][1])
    assert sorted(p.name for p in isolated.iterdir()) == sorted(FULL_NAMES)  # no .part left
    for name, data in files.items():
        assert (isolated / name).read_bytes() == data
    assert sorted(requests) == sorted("/" + name for name in FULL_NAMES)

    load_mnist(source="full")  # from the cache now: no new requests
    assert len(requests) == 4


def test_checksum_mismatch_is_rejected_and_next_mirror_tried(isolated, monkeypatch, server,
                                                            synthetic):
    root, url, requests = server
    files, arrays = synthetic
    (root / "bad").mkdir()
    (root / "good").mkdir()
    for name, data in files.items():
        (root / "good" / name).write_bytes(data)
        tampered = bytearray(data)
        tampered[-1] ^= 1
        (root / "bad" / name).write_bytes(bytes(tampered))
    inject_checksums(monkeypatch, files)

    monkeypatch.setattr(mnist, "MIRRORS", [url + "bad/"])
    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        load_mnist(source="full")
    assert not any(isolated.iterdir())  # nothing kept, not even a temp file

    monkeypatch.setattr(mnist, "MIRRORS", [url + "bad/", url + "good/"])
    (x_train, _), _ = load_mnist(normalize=False, source="full")
    np.testing.assert_array_equal(x_train, arrays["train"][0].reshape(-1, 784))
    assert (isolated / FULL_NAMES[0]).read_bytes() == files[FULL_NAMES[0]]


def test_oversized_download_is_cut_off(isolated, monkeypatch, server, synthetic):
    root, url, _ = server
    files, _ = synthetic
    for name, data in files.items():
        (root / name).write_bytes(data + b"x" * 200_000)
    table = {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()}
    monkeypatch.setattr(mnist, "FILES", table)
    monkeypatch.setattr(mnist, "MIRRORS", [url])
    with pytest.raises(DownloadError, match="more than the expected"):
        load_mnist(source="full")
    assert not any(isolated.iterdir())


def test_checksum_table_is_complete():
    assert set(mnist.FILES) == set(FULL_NAMES)
    for size, digest in mnist.FILES.values():
        assert size > 0 and len(digest) == 64 and int(digest, 16) >= 0
    assert all(url.startswith("https://") and url.endswith("/") for url in mnist.MIRRORS)
