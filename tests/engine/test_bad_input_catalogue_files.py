"""The bad-input catalogue, files and the command line: a bad file is one clear error naming it.

Rows as in test_bad_input_catalogue.py (tests/_bad_input.py says what a row
is), but each call takes a fresh directory, `tmp`, to write its file in:
IDX files (fastnet.datasets), .npz archives and pickles (fastnet.readers),
a network's params file (fastnet.nets), a Keras model or weights file and
Keras' dataset cache (fastnet.keras), and `fastnet` commands run through
fastnet.cli.main. Reading a file does not depend on the backend, so these
rows run on the "numpy" backend only.
"""

import contextlib
import gzip
import io
import json
import pickle
import struct

import numpy as np
import pytest
from _bad_input import assert_refused, rows

from fastnet import cli, scratch
from fastnet import nets as N
from fastnet.datasets import idx
from fastnet.keras import layers as KL
from fastnet.keras import model_file
from fastnet.keras import models as KM
from fastnet.keras.datasets import imdb, reuters
from fastnet.readers import NpzReader, safe_pickle

# A pickle that calls os.system('true') when it is loaded.
EVIL_PICKLE = b"cos\nsystem\n(S'true'\ntR."
TWO_LAYER = {"W1": (3, 4), "b1": (4,), "W2": (4, 3), "b2": (3,)}


class CommandFailed(Exception):
    """A `fastnet` command exited with an error; the message is what it wrote to stderr."""


def command(*argv):
    """Run `fastnet ARGV...` in this process; CommandFailed with its stderr if it fails."""
    err, installed = io.StringIO(), scratch.installed()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = cli.main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's errors
            status = exc.code
        finally:  # `fastnet run` leaves the book's module names installed for later tests
            if scratch.installed() and not installed:
                scratch.uninstall()
    if status:
        raise CommandFailed(err.getvalue())


def write(path, data):
    path.write_bytes(data)
    return path


def npz(path, **arrays):
    with open(path, "wb") as f:  # a file object: NumPy adds no ".npz" to the name
        np.savez(f, **arrays)
    return path


def encrypted_npz(path):
    """An .npz whose member is marked encrypted (bit 0 of its zip flags), as a zip tool writes."""
    data = bytearray(npz(path, a=np.ones(3)).read_bytes())
    data[data.find(b"PK\x03\x04") + 6] |= 1  # the local header's flags
    data[data.find(b"PK\x01\x02") + 8] |= 1  # the central directory's flags
    return write(path, bytes(data))


def idx_file(path, dims, data, gzipped=False):
    """An unsigned-byte IDX file: magic 0x000008NN, the big-endian dims, then `data`."""
    raw = bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data
    return write(path, gzip.compress(raw) if gzipped else raw)


def params_npz(path, **changed):
    """A TwoLayerNet(3, 4, 3) params file, with some arrays changed."""
    return npz(path, **{**{key: np.ones(shape) for key, shape in TWO_LAYER.items()}, **changed})


def load_params(path):
    N.TwoLayerNet(3, 4, 3).load_params(path)


def model_path(path, edit=None, weights=None):
    """A model file of Sequential([Dense(3, input_shape=(4,))]); edit(config) changes its config."""
    model = KM.Sequential([KL.Dense(3, input_shape=(4,))])
    model.compile("sgd", "mse")
    model.save(path)
    config, saved = model_file.read(path)
    if edit:
        edit(config)
    model_file.write(path, config, saved if weights is None else weights)
    return path


def dense(config):
    return config["model"]["layers"][0]["config"]


def keras_npz(path, **arrays):
    """A Keras dataset cache file: the four arrays, object arrays of lists where given lists."""
    base = {"x_train": [[1, 2]], "y_train": [0], "x_test": [[3]], "y_test": [1]}
    arrays = {**base, **arrays}
    out = {}
    for key, value in arrays.items():
        if key.startswith("x") and isinstance(value, list):
            seqs = np.empty(len(value), dtype=object)
            seqs[:] = value
            value = seqs
        out[key] = np.asarray(value) if not isinstance(value, np.ndarray) else value
    with open(path, "wb") as f:
        np.savez(f, **out)
    return path


CASES = [
    # -- IDX files (fastnet.datasets.idx)
    ("read_idx/empty", lambda tmp: idx.read_idx(write(tmp / "e.idx", b"")), ValueError,
     r"e\.idx: too short for an IDX header \(0 bytes\)"),
    ("read_idx/bad magic",
     lambda tmp: idx.read_idx(write(tmp / "m.idx", b"\0\0\x0d\1" + b"\0" * 8)),
     ValueError, r"m\.idx: bad magic number 0x00000d01"),
    ("read_idx/truncated header",
     lambda tmp: idx.read_idx(write(tmp / "h.idx", b"\0\0\x08\3\0\0\0\1")),
     ValueError, r"h\.idx: truncated header \(8 bytes, 16 needed for 3 dimensions\)"),
    ("read_idx/truncated data", lambda tmp: idx.read_idx(idx_file(tmp / "d.idx", (10,), b"\1" * 5)),
     ValueError, r"d\.idx: truncated data: dimensions \(10,\) need 18 bytes"),
    ("read_idx/trailing bytes", lambda tmp: idx.read_idx(idx_file(tmp / "t.idx", (2,), b"\1" * 5)),
     ValueError, r"t\.idx: 3 trailing bytes after the \(2,\) array"),
    ("read_idx/oversized dims",
     lambda tmp: idx.read_idx(idx_file(tmp / "o.idx", (2**31, 2**31), b"")),
     ValueError, r"o\.idx: .*dimensions \(2147483648, 2147483648\) need \d+ bytes"),
    ("read_idx/over max_bytes",
     lambda tmp: idx.read_idx(idx_file(tmp / "c.idx", (100,), b"\1" * 100),
                                                          max_bytes=10),
     ValueError, r"c\.idx: dimensions \(100,\) declare 100 bytes of data, more than max_bytes=10"),
    ("read_idx/ndim", lambda tmp: idx.read_idx(idx_file(tmp / "n.idx", (2, 2), b"\1" * 4), ndim=1),
     ValueError, r"n\.idx: has 2 dimension\(s\), expected 1"),
    ("read_idx/corrupt gzip", lambda tmp: idx.read_idx(write(tmp / "c.gz", b"\x1f\x8bjunkjunk")),
     ValueError, r"c\.gz: corrupt gzip stream"),
    ("read_idx/truncated gzip", lambda tmp: idx.read_idx(write(
        tmp / "t.gz", idx_file(tmp / "whole.gz", (100,), b"\1" * 100, True).read_bytes()[:-12])),
     ValueError, r"t\.gz: corrupt gzip stream \(Compressed file ended"),
    ("read_idx/gzip bomb", lambda tmp: idx.read_idx(idx_file(tmp / "b.gz", (10**8,), b"", True)),
     ValueError, r"b\.gz: truncated data: dimensions \(100000000,\) .*gzip stream of this size"),
    ("read_idx/device", lambda tmp: idx.read_idx("/dev/zero"), ValueError,
     r"/dev/zero: not a regular file"),
    ("read_idx_labels/label>=10",
     lambda tmp: idx.read_idx_labels(idx_file(tmp / "l.idx", (3,), b"\1\2\x0c")),
     ValueError, r"l\.idx: label 12 at index 2 is out of range \[0, 10\)"),
    ("read_idx_images/image size", lambda tmp: idx.read_idx_images(
        idx_file(tmp / "i.idx", (1, 2, 2), b"\1" * 4), (28, 28)), ValueError,
     r"i\.idx: images are 2x2, expected 28x28"),
    ("read_idx_pair/counts", lambda tmp: idx.read_idx_pair(
        idx_file(tmp / "pi.idx", (2, 1, 1), b"\1" * 2), idx_file(tmp / "pl.idx", (3,), b"\1" * 3),
        (1, 1)),
     ValueError, r"pi\.idx holds 2 images but .*pl\.idx holds 3 labels"),
    # -- .npz archives and pickles (fastnet.readers)
    ("NpzReader/not a zip", lambda tmp: NpzReader(write(tmp / "z.npz", b"hello world")), ValueError,
     r"z\.npz: not a \.npz archive"),
    ("NpzReader/truncated", lambda tmp: NpzReader(write(
        tmp / "t.npz", npz(tmp / "whole.npz", a=np.ones(100)).read_bytes()[:200])), ValueError,
     r"t\.npz: not a \.npz archive"),
    ("NpzReader/no such array", lambda tmp: NpzReader(npz(tmp / "a.npz", a=np.ones(3))).array("b"),
     ValueError, r"a\.npz: no array 'b' \(it has \['a'\]\)"),
    ("NpzReader/object array", lambda tmp: NpzReader(npz(
        tmp / "o.npz", a=np.array([None, 1], dtype=object))).array("a"), ValueError,
     r"o\.npz: array 'a' holds Python objects"),
    ("NpzReader/over max_bytes",
     lambda tmp: NpzReader(npz(tmp / "c.npz", a=np.ones(100)), 10).array("a"),
     ValueError, r"c\.npz: array 'a' needs 800 bytes, more than the 10 left"),
    ("NpzReader/encrypted member", lambda tmp: NpzReader(encrypted_npz(tmp / "x.npz")).array("a"),
     ValueError, r"x\.npz: array 'a' is encrypted"),
    ("NpzReader/directory", lambda tmp: NpzReader(tmp), ValueError, r": not a regular file"),
    ("safe_pickle/os.system",
     lambda tmp: safe_pickle.load(io.BytesIO(EVIL_PICKLE), "evil.pkl", 100),
     ValueError, r"evil\.pkl: .*refusing to unpickle os\.system"),
    ("safe_pickle/truncated", lambda tmp: safe_pickle.load(
        io.BytesIO(pickle.dumps({"a": 1})[:-3]), "t.pkl", 100), ValueError,
     r"t\.pkl: cannot be read as pickled NumPy arrays: pickle data was truncated"),
    # -- a network's params file (fastnet.nets)
    ("load_params/text file", lambda tmp: load_params(write(tmp / "p.txt", b"W1 = 1")), ValueError,
     r"p\.txt: cannot be read as pickled NumPy arrays"),
    ("load_params/pickled list",
     lambda tmp: load_params(write(tmp / "l.pkl", pickle.dumps([1, 2]))),
     ValueError, r"l\.pkl: not a params file: it holds a list, not a dict of arrays"),
    ("load_params/pickled os.system", lambda tmp: load_params(write(tmp / "e.pkl", EVIL_PICKLE)),
     ValueError, r"e\.pkl: .*refusing to unpickle os\.system"),
    ("load_params/pickled shapes", lambda tmp: load_params(write(tmp / "s.pkl", pickle.dumps(
        {key: np.ones(2) for key in TWO_LAYER}))), ValueError,
     r"s\.pkl does not fit this network: W1 has shape \(2,\), the network needs \(3, 4\)"),
    ("load_params/npz missing arrays",
     lambda tmp: load_params(npz(tmp / "m.npz", W1=np.ones((3, 4)))),
     ValueError, r"m\.npz does not fit this network: no parameter 'b1'"),
    ("load_params/npz int weights",
     lambda tmp: load_params(params_npz(tmp / "i.npz", W1=np.ones((3, 4), int))),
     ValueError, r"i\.npz does not fit this network: W1 is int64, not floating point"),
    ("load_params/npz config not JSON", lambda tmp: load_params(params_npz(
        tmp / "c.npz", config=np.array("{not json"))), ValueError,
     r"c\.npz: its 'config' is not JSON"),
    ("load_params/npz other format", lambda tmp: load_params(params_npz(
        tmp / "f.npz", config=np.array(json.dumps({"format": "keras"})))), ValueError,
     r"f\.npz: not a fastnet.nets params file \(format 'keras'\)"),
    # -- Keras model and weights files, Keras' dataset cache (fastnet.keras)
    ("load_model/text file", lambda tmp: KM.load_model(write(tmp / "m.txt", b"hello")), ValueError,
     r"m\.txt: not a \.npz archive"),
    ("load_model/no config", lambda tmp: KM.load_model(npz(tmp / "n.npz", weight_000=np.ones(3))),
     ValueError, r"n\.npz is not a model saved by fastnet\.keras \(no config\)"),
    ("load_model/config not JSON",
     lambda tmp: KM.load_model(npz(tmp / "j.npz", config=np.array("{x"))),
     ValueError, r"j\.npz: config is not valid JSON"),
    ("load_model/huge Dense", lambda tmp: KM.load_model(model_path(
        tmp / "h.npz", lambda c: dense(c).update(units=20000, input_shape=[20000]))), ValueError,
     r"h\.npz: .*20000"),
    ("load_model/loss name", lambda tmp: KM.load_model(model_path(
        tmp / "l.npz", lambda c: c["compile"].update(loss="__loader__"))), ValueError,
     r"l\.npz: .*loss.*'__loader__'"),
    ("load_model/optimizer name", lambda tmp: KM.load_model(model_path(
        tmp / "o.npz", lambda c: c["compile"]["optimizer"].update(class_name="os"))), ValueError,
     r"o\.npz: .*optimizer.*'os'"),
    ("load_model/layer class", lambda tmp: KM.load_model(model_path(
        tmp / "c.npz", lambda c: c["model"]["layers"][0].update(class_name="Lambda"))), ValueError,
     r"c\.npz: .*'Lambda'"),
    ("load_model/newer version", lambda tmp: KM.load_model(model_path(
        tmp / "v.npz", lambda c: c.update(version=99))), ValueError, r"v\.npz: .*version.*99"),
    ("load_model/weight shape", lambda tmp: KM.load_model(model_path(
        tmp / "w.npz", weights=[np.ones((4, 4)), np.ones(3)])), ValueError,
     r"w\.npz: .*\(4, 4\)"),
    ("load_model/weight count", lambda tmp: KM.load_model(model_path(
        tmp / "k.npz", weights=[np.ones((4, 3))])), ValueError,
     r"k\.npz: its layers need weights of shapes \[\(4, 3\), \(3,\)\], the file holds "
     r"\[\(4, 3\)\]"),
    ("load_weights/no config",
     lambda tmp: KM.Sequential([KL.Dense(3, input_shape=(4,))]).load_weights(
        npz(tmp / "w.npz", weight_000=np.ones(3))), ValueError, r"w\.npz is not a model saved by"),
    ("imdb.load_data/missing array",
     lambda tmp: imdb.load_data(npz(tmp / "i.npz", x_train=np.ones(2))),
     ValueError, r"i\.npz: .*'y_train'"),
    ("imdb.load_data/x not sequences", lambda tmp: imdb.load_data(keras_npz(
        tmp / "x.npz", x_train=np.ones((1, 2)))), ValueError, r"x\.npz: .*x_train"),
    ("reuters.load_data/Keras' IMDB file", lambda tmp: reuters.load_data(keras_npz(tmp / "r.npz")),
     ValueError, r"r\.npz: no array 'x'; this data set's file holds \['x', 'y'\]"),
    ("reuters.load_data/counts", lambda tmp: reuters.load_data(keras_npz(
        tmp / "c.npz", x=[[1, 2], [3]], y=[0])), ValueError,
     r"c\.npz: y should be 2 integer labels, one per x entry; got int64 of shape \(1,\)"),
    # -- the command line (fastnet.cli)
    ("fastnet run/missing script", lambda tmp: command("run", tmp / "nope.py"), CommandFailed,
     r"fastnet run: error: no such script: .*nope\.py"),
    ("fastnet run/directory",
     lambda tmp: command("run", tmp), CommandFailed, r"fastnet run: error: "),
    ("fastnet train/epochs 0", lambda tmp: command("train", "--epochs", "0"), CommandFailed,
     r"argument --epochs: must be at least 1, got 0"),
    ("fastnet train/lr NaN", lambda tmp: command("train", "--lr", "nan"), CommandFailed,
     r"argument --lr: must be a positive finite number, got nan"),
    ("fastnet train/optimizer", lambda tmp: command("train", "--optimizer", "adamw"), CommandFailed,
     r"argument --optimizer: invalid choice: 'adamw'"),
    ("fastnet/unknown command", lambda tmp: command("fly"), CommandFailed,
     r"argument COMMAND: invalid choice: 'fly'"),
    ("fastnet run/syntax error",
     lambda tmp: command("run", write(tmp / "bad.py", b"def (:\n")), SyntaxError,
     r"invalid syntax \(bad\.py, line 1\)"),
]

@pytest.mark.parametrize("backend_name, name, call, error, match",
                         rows(CASES, backends=("numpy",)))
def test_bad_file_is_refused_clearly(backend_name, name, call, error, match, tmp_path):
    assert_refused(backend_name, call, error, match, tmp_path)
