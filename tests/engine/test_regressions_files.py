"""Regression tests for issue 10, items 10, 11 (IDX), 13 and 14: threads, params files, data files.

One test per defect, each failing on the code before its fix. The bad files
are built here in tmp_path, small: a "bomb" is a small file that declares or
inflates to much more. Cases that would eat gigabytes on the old code run in
a child process with an address-space limit, so a regression fails the test
instead of the machine.
"""

import gzip
import os
import pickle
import re
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile

import numpy as np
import pytest

import fastnet
from fastnet import _openmp
from fastnet.datasets import idx
from fastnet.keras.datasets import imdb, reuters
from fastnet.nets import TwoLayerNet

resource = pytest.importorskip("resource", reason="address-space limits need POSIX")
MEMORY_CAP = 1 << 30  # bytes: importing NumPy and fastnet fits, a 600M-element array does not


def named(path):
    return re.escape(str(path))


def run_capped(code, env=None, cap=MEMORY_CAP, timeout=120):
    """Run `code` in a fresh Python whose address space is capped at `cap` bytes."""
    prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          env=env, capture_output=True, text=True, timeout=timeout)


# -- 10: set_num_threads and OMP_NUM_THREADS have an upper bound ------------------------

def test_set_num_threads_refuses_absurd_counts():
    with pytest.raises(ValueError, match=r"set_num_threads: n must be <= \d+ \(4 per CPU"):
        fastnet.set_num_threads(100000)


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: no threads")
def test_absurd_omp_num_threads_is_lowered_not_a_segfault():
    # Before: a 1000x1000 ReLU on 100000 OpenMP threads segfaulted (rc -11).
    code = """
        import numpy as np, fastnet
        from fastnet.layers import Relu
        print(float(Relu().forward(np.ones((1000, 1000))).sum()), fastnet.get_num_threads())
    """
    # Room for the allowed threads' stacks (8 MiB each by default) on any machine.
    cap = MEMORY_CAP + 4 * os.cpu_count() * (16 << 20)
    out = run_capped(code, env=dict(os.environ, OMP_NUM_THREADS="100000"), cap=cap)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1000000.0", str(4 * os.cpu_count())]
    assert "OMP_NUM_THREADS=100000 is more threads than fastnet allows" in out.stderr


# -- 11: IDX dimensions whose product overflows ----------------------------------------

def test_idx_dimensions_overflowing_int64_name_the_file(tmp_path):
    # 65536**4 == 2**64 wrapped to 0 in int64: the size check passed and
    # NumPy's reshape failed without the file's name.
    path = tmp_path / "overflow-idx4-ubyte"
    path.write_bytes(bytes([0, 0, 8, 4]) + (65536).to_bytes(4, "big") * 4)
    with pytest.raises(ValueError, match=f"{named(path)}.*dimensions"):
        idx.read_idx(path)


# -- 13: load_params and pickles -------------------------------------------------------

class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"echo pwned > {self.marker}",))


def test_load_params_never_runs_code_from_a_pickle(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "params.pkl"
    params = {key: value for key, value in TwoLayerNet(4, 3, 2).params.items()}
    params["W1"] = _RunsCode(marker)
    path.write_bytes(pickle.dumps(params))
    with pytest.raises(ValueError, match=rf"{named(path)}.*refusing to unpickle \w+\.system"):
        TwoLayerNet(4, 3, 2).load_params(str(path))
    assert not marker.exists()


def test_fastnet_nets_save_npz_without_pickle_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, dtype=np.float32)
    net.save_params()
    with np.load(tmp_path / "params.npz", allow_pickle=False) as saved:
        np.testing.assert_array_equal(saved["W1"], net.params["W1"])
        config = str(saved["config"])
    assert '"format": "fastnet.nets"' in config and '"network": "TwoLayerNet"' in config
    again = TwoLayerNet(4, 3, 2, dtype=np.float32)
    again.load_params()
    for key in net.params:
        np.testing.assert_array_equal(again.params[key], net.params[key])


def test_load_params_warns_about_parameters_the_network_lacks(tmp_path):
    net = TwoLayerNet(4, 3, 2)
    path = tmp_path / "params.pkl"
    path.write_bytes(pickle.dumps(dict(net.params, W9=np.ones(2))))
    with pytest.warns(UserWarning, match=rf"{named(path)}.*does not have.*W9"):
        net.load_params(str(path))


def _pickle_repeating_a_call(text_bytes, calls):
    """Protocol 2: a list of `calls` results of _codecs.encode(text, "latin1"), the call
    made once and then repeated through the memo at 5 bytes a time."""
    text = b"x" * text_bytes
    first = (b"c_codecs\nencode\nq\x00X" + len(text).to_bytes(4, "little") + text
             + b"q\x01X\x06\x00\x00\x00latin1\x86q\x02R")
    again = b"h\x00h\x02R"
    return b"\x80\x02](" + first + again * (calls - 1) + b"e."


def test_a_pickle_repeating_a_call_through_its_memo_is_refused(tmp_path):
    # 64 KiB of text encoded 200,000 times: 13 GB from a 1 MB file.
    path = tmp_path / "params.pkl"
    path.write_bytes(_pickle_repeating_a_call(1 << 16, 200_000))
    assert path.stat().st_size < 2 << 20
    out = run_capped(f"""
        from fastnet.nets import TwoLayerNet
        try:
            TwoLayerNet(4, 3, 2).load_params({str(path)!r})
        except ValueError as exc:
            print("ValueError:", exc)
    """)
    assert re.match(rf"ValueError: {named(path)}.*would build more than", out.stdout), \
        out.stderr[-2000:]


# -- 14: small files that ask for a lot ------------------------------------------------

def test_idx_gzip_bomb_is_not_inflated_in_full(tmp_path):
    # 10 labels followed by 64 MiB of zeros: a 64 KB file. Before, all of it
    # was inflated into memory before the size check refused it.
    path = tmp_path / "bomb-labels-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + bytes(10))
        for _ in range(64):
            f.write(bytes(1 << 20))
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=f"{named(path)}.*trailing bytes"):
            idx.read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak} bytes allocated to refuse a 10-label file"


def test_idx_declared_size_is_capped(tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (5, 28, 28))
                     + bytes(5 * 28 * 28))
    with pytest.raises(ValueError, match=f"{named(path)}.*more than max_bytes=1000"):
        idx.read_idx(path, max_bytes=1000)
    assert idx.read_idx(path).shape == (5, 28, 28)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_read_idx_of_dev_zero_is_a_clear_error():
    # Before: read until MemoryError (here: until the address-space cap).
    out = run_capped("""
        from fastnet.datasets import idx
        try:
            idx.read_idx("/dev/zero")
        except ValueError as exc:
            print("ValueError:", exc)
    """)
    assert out.stdout.startswith("ValueError: /dev/zero: "), out.stderr[-2000:]


class _ArrayClaim:
    """Pickles as NumPy pickles an object array, but claiming `count` elements."""

    def __init__(self, count):
        self.count = count

    def __reduce__(self):
        rebuild, args, _ = np.empty(1, dtype=object).__reduce__()
        return rebuild, args, (1, (self.count,), np.dtype(object), False, [[1, 2]])


def _npz_with_object_array(path, claim):
    """Keras' imdb.npz layout, x_train's pickle replaced by `claim`."""
    with zipfile.ZipFile(path, "w") as archive:
        header = {"descr": "|O", "fortran_order": False, "shape": (1,)}
        text = repr(header).encode() + b"\n"
        npy = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text
        archive.writestr("x_train.npy", npy + pickle.dumps(claim, protocol=3))
        for name, value in (("y_train", [0]), ("x_test", None), ("y_test", [0])):
            if value is None:
                value = np.empty(1, dtype=object)
                value[0] = [1]
            with archive.open(f"{name}.npy", "w") as f:
                np.lib.format.write_array(f, np.asarray(value), allow_pickle=True)


def test_imdb_npz_claiming_600m_elements_allocates_nothing(tmp_path):
    # Only allowed classes, but NumPy's __setstate__ allocated the claimed
    # 600M-element object array (4.8 GB) before it looked at the data.
    keras = tmp_path / "keras" / "datasets"
    keras.mkdir(parents=True)
    _npz_with_object_array(keras / "imdb.npz", _ArrayClaim(600_000_000))
    out = run_capped("""
        from fastnet.keras.datasets import imdb
        try:
            imdb.load_data()
        except ValueError as exc:
            print("ValueError:", exc)
    """, env=dict(os.environ, KERAS_HOME=str(tmp_path / "keras")))
    assert re.match(r"ValueError: .*imdb\.npz.*does not match", out.stdout), out.stderr[-2000:]


def _objects(*sequences):
    out = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        out[i] = s
    return out


# Each: a file's contents, and words the error must contain.
BAD_SEQUENCE_FILES = {
    "not-a-zip": (b"this is not an npz archive", "not a .npz archive"),
    "missing-array": ({"x_train": _objects([1]), "y_train": np.zeros(1, int)}, "no array"),
    "numbers-not-lists": ({"x_train": np.arange(3.0), "y_train": np.zeros(3, int),
                           "x_test": _objects([1]), "y_test": np.zeros(1, int)}, "float"),
    "scalar": ({"x_train": np.array(5), "y_train": np.zeros(1, int),
                "x_test": _objects([1]), "y_test": np.zeros(1, int)}, "1-D"),
    "words-not-ints": ({"x_train": _objects(["a", "b"]), "y_train": np.zeros(1, int),
                        "x_test": _objects([1]), "y_test": np.zeros(1, int)}, "word ids"),
    "labels-too-few": ({"x_train": _objects([1], [2]), "y_train": np.zeros(1, int),
                        "x_test": _objects([1]), "y_test": np.zeros(1, int)}, "labels"),
}


@pytest.mark.parametrize("case", sorted(BAD_SEQUENCE_FILES))
def test_keras_sequence_files_with_bad_contents_name_the_file(tmp_path, monkeypatch, case):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    path = tmp_path / "datasets" / "imdb.npz"
    contents, words = BAD_SEQUENCE_FILES[case]
    if isinstance(contents, bytes):
        path.write_bytes(contents)
    else:
        with open(path, "wb") as f:
            np.savez(f, **contents)
    with pytest.raises(ValueError, match=f"{named(path)}.*{words}"):
        imdb.load_data()
    reuters_path = tmp_path / "datasets" / "reuters.npz"
    reuters_path.write_bytes(path.read_bytes())
    with pytest.raises(ValueError, match=named(reuters_path)):
        reuters.load_data()


def test_keras_sequences_repeating_one_list_are_refused(tmp_path, monkeypatch):
    # A few bytes per reference in pickle's memo; reindexing copied each one.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    review = list(range(1000))
    x = np.empty(1000, dtype=object)
    for i in range(len(x)):
        x[i] = review
    path = tmp_path / "datasets" / "reuters.npz"
    np.savez(path, x=x, y=np.zeros(1000, int))
    with pytest.raises(ValueError, match=f"{named(path)}: x repeats the same list"):
        reuters.load_data()
