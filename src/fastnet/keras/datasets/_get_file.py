"""Keras' get_file, as far as its data sets need it: one URL, a known digest, a safe rename.

The bytes go to a hidden temporary file beside the target and are hashed as
they arrive; only a file whose digest matches is renamed into place, so the
cache never holds a partial, corrupted or tampered download, even when the
connection drops or the user presses Ctrl-C.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request

from ...datasets import DownloadError

__all__ = ["TIMEOUT_S", "download"]

# Seconds to wait for a connection or for the next block of bytes: long
# enough for a slow link, short enough that an offline machine gives up fast.
TIMEOUT_S = 10
_BLOCK = 1 << 16


def download(url, target, algorithm, expected, timeout=TIMEOUT_S):
    """Fetch `url` into the Path `target` if its `algorithm` digest is `expected`.

    algorithm: "sha256", or "md5" where Keras publishes nothing stronger.
    Raises DownloadError saying what went wrong (the connection, the HTTP
    status, a cut-off body or the digest); the target is then left untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            got = _copy_hashed(url, out, hashlib.new(algorithm, usedforsecurity=False),
                               timeout)
        if got != expected:
            raise DownloadError(f"{url}: the file's {algorithm} is {got}, expected {expected} "
                                "(a corrupted or changed download; it was deleted)")
        os.replace(part, target)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection open until closed
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except http.client.HTTPException as exc:
        # A connection cut mid-body raises IncompleteRead, which is no OSError.
        raise DownloadError(f"{url}: the download was cut off ({exc!r}; it was deleted)") \
            from exc
    finally:
        if os.path.exists(part):
            os.remove(part)
    return target


def _copy_hashed(url, out, digest, timeout):
    received = 0
    with urllib.request.urlopen(url, timeout=timeout) as response:
        announced = response.headers.get("Content-Length")
        for block in iter(lambda: response.read(_BLOCK), b""):
            digest.update(block)
            out.write(block)
            received += len(block)
    # http.client ends a read early without complaint when the connection
    # drops; the digest would catch it too, but this says what happened.
    if announced is not None and announced.isdigit() and received < int(announced):
        raise DownloadError(f"{url}: the download was cut off after {received} of "
                            f"{announced} bytes (it was deleted)")
    return digest.hexdigest()
