"""imdb / reuters download Keras' files into Keras' cache, checked, atomically.

Only a loopback server started here is contacted: each test points the
loaders' origin and digest table at it (tests/keras/conftest.py points the
origin at a closed loopback port for every other test).
"""

import hashlib
import http.server
import io
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from fastnet.datasets import DownloadError
from fastnet.keras.datasets import _get_file, _keras_cache, imdb, reuters


def _objects(*sequences):
    out = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        out[i] = list(s)
    return out


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


IMDB = _npz_bytes(x_train=_objects([1, 2, 3], [4, 5]), y_train=np.array([0, 1]),
                  x_test=_objects([6]), y_test=np.array([1]))
REUTERS = _npz_bytes(x=_objects([1], [2, 3], [4], [5, 6], [7]), y=np.arange(5))
WORD_INDEX = json.dumps({"the": 1, "and": 2}).encode()


class _Server:
    """Serves `files` on 127.0.0.1; how each name misbehaves is set in `modes`."""

    def __init__(self, files):
        self.files, self.modes, self.requests = dict(files), {}, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests.append(name)
                if name not in server.files:
                    self.send_error(404)
                    return
                data = server.files[name]
                mode = server.modes.get(name)
                body = {"corrupt": data[:-1] + bytes([data[-1] ^ 1]),
                        "cut": data[:len(data) // 2]}.get(mode, data)
                self.send_response(200)
                # The full length is announced even when less follows, as a
                # dropped connection would leave it.
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The loopback server as the loaders' origin, with the digests of its files."""
    files = {"imdb.npz": IMDB, "reuters.npz": REUTERS, "reuters_word_index.json": WORD_INDEX}
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("FASTNET_OFFLINE", raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(_keras_cache, "FILES", {
        "imdb.npz": ("sha256", hashlib.sha256(IMDB).hexdigest()),
        "reuters.npz": ("sha256", hashlib.sha256(REUTERS).hexdigest()),
        "reuters_word_index.json": ("md5", hashlib.md5(WORD_INDEX).hexdigest()),
    })
    with _Server(files) as running:
        monkeypatch.setattr(_keras_cache, "ORIGIN", running.url)
        yield running


def _cache(tmp_path):
    return tmp_path / "keras" / "datasets"


def test_a_missing_file_is_downloaded_once_into_keras_cache(server, tmp_path, capsys):
    (x, y), (xt, yt) = imdb.load_data()
    assert sorted(len(s) for s in x) == [3, 4] and list(yt) == [1]
    assert (_cache(tmp_path) / "imdb.npz").read_bytes() == IMDB
    assert f"Downloading data from {server.url}imdb.npz" in capsys.readouterr().out
    imdb.load_data()  # the cached file now: no second request
    assert server.requests == ["imdb.npz"]
    assert sorted(p.name for p in _cache(tmp_path).iterdir()) == ["imdb.npz"]


def test_reuters_and_its_word_index_download_with_keras_digests(server, tmp_path):
    (x, _), (xt, _) = reuters.load_data(test_split=0.2)
    assert len(x) == 4 and len(xt) == 1
    assert reuters.get_word_index() == {"the": 1, "and": 2}
    assert server.requests == ["reuters.npz", "reuters_word_index.json"]


@pytest.mark.parametrize("name", ["my_imdb.npz", Path("my_imdb.npz")])
def test_a_download_is_saved_under_the_callers_name_like_keras(server, tmp_path, name):
    imdb.load_data(path=name)
    assert server.requests == ["imdb.npz"]
    assert (_cache(tmp_path) / "my_imdb.npz").read_bytes() == IMDB


@pytest.mark.parametrize("mode, words", [("corrupt", "sha256 is"), ("cut", "cut off")])
def test_a_corrupted_or_cut_download_leaves_nothing_and_names_everything(
        server, tmp_path, mode, words):
    server.modes["imdb.npz"] = mode
    with pytest.raises(DownloadError) as caught:
        imdb.load_data()
    message = str(caught.value)
    target = _cache(tmp_path) / "imdb.npz"
    for part in (str(target), f"{server.url}imdb.npz", words):
        assert part in message
    assert list(_cache(tmp_path).iterdir()) == []  # no partial file, no temp file
    del server.modes["imdb.npz"]
    imdb.load_data()  # the next try starts clean and succeeds
    assert target.read_bytes() == IMDB


def test_ctrl_c_during_a_download_leaves_no_partial_file(server, tmp_path, monkeypatch):
    def interrupted(url, out, digest, timeout):
        out.write(IMDB[:100])
        raise KeyboardInterrupt

    monkeypatch.setattr(_get_file, "_copy_hashed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        imdb.load_data()
    assert list(_cache(tmp_path).iterdir()) == []


def test_a_missing_file_on_the_server_names_url_and_cache(server, tmp_path):
    del server.files["imdb.npz"]
    with pytest.raises(DownloadError, match=r"imdb\.npz.*404") as caught:
        imdb.load_data()
    assert str(_cache(tmp_path)) in str(caught.value)
    assert "KERAS_HOME" in str(caught.value)


def test_no_network_names_the_file_the_url_and_the_cache(server, tmp_path, monkeypatch):
    monkeypatch.setattr(_keras_cache, "ORIGIN", "http://127.0.0.1:9/")  # nothing listens
    with pytest.raises(DownloadError) as caught:
        reuters.load_data()
    message = str(caught.value)
    assert "http://127.0.0.1:9/reuters.npz" in message
    assert str(_cache(tmp_path) / "reuters.npz") in message


def test_offline_never_asks_the_network(server, monkeypatch):
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    with pytest.raises(FileNotFoundError, match=r"imdb\.npz.*FASTNET_OFFLINE"):
        imdb.load_data()
    assert server.requests == []


def test_a_cached_file_is_used_as_it_is(server, tmp_path):
    # Keras' offline path: what is there is read (and parsed strictly), not fetched again.
    _cache(tmp_path).mkdir(parents=True)
    (_cache(tmp_path) / "reuters.npz").write_bytes(
        _npz_bytes(x=_objects([1], [2]), y=np.array([0, 1])))
    (x, _), (xt, _) = reuters.load_data(test_split=0.5)
    assert len(x) + len(xt) == 2 and server.requests == []


def test_a_path_with_folders_is_not_downloaded_into(server, tmp_path):
    with pytest.raises(FileNotFoundError, match="a path with folders"):
        imdb.load_data(path=str(tmp_path / "elsewhere" / "imdb.npz"))
    assert server.requests == []


def test_the_cache_follows_keras_home_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert _keras_cache.cache_dir() == tmp_path / "kh" / "datasets"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _keras_cache.cache_dir() == tmp_path / ".keras" / "datasets"


@pytest.fixture
def read_only_keras_home(server, tmp_path, monkeypatch):
    """KERAS_HOME as a folder this process may not write (os.access says no, as
    it would for a non-root user on a read-only folder), and /tmp in tmp_path."""
    home = tmp_path / "keras"
    (home / "datasets").mkdir(parents=True)
    real_access = os.access

    def access(path, mode):
        inside = Path(path) == home or home in Path(path).parents
        return False if inside and mode & os.W_OK else real_access(path, mode)

    monkeypatch.setattr(_keras_cache.os, "access", access)
    monkeypatch.setattr(_keras_cache, "_fallback_base", lambda: tmp_path / "tmp")
    return home


def test_a_read_only_keras_home_downloads_into_tmp_as_keras(read_only_keras_home, tmp_path,
                                                             capsys):
    (x, _), _ = imdb.load_data()
    assert sorted(len(s) for s in x) == [3, 4]
    assert (tmp_path / "tmp" / ".keras" / "datasets" / "imdb.npz").read_bytes() == IMDB
    assert not (read_only_keras_home / "datasets" / "imdb.npz").exists()
    assert "Downloading data from" in capsys.readouterr().out


def test_a_read_only_keras_home_is_still_read(read_only_keras_home, capsys):
    (read_only_keras_home / "datasets" / "imdb.npz").write_bytes(IMDB)
    (x, _), _ = imdb.load_data()
    assert sorted(len(s) for s in x) == [3, 4]
    assert "Downloading" not in capsys.readouterr().out
