"""Download one file from a list of mirrors, verified by its SHA-256.

The bytes go to a temporary file beside the destination and are hashed as
they arrive; only a file whose digest matches is renamed into place, so the
cache never holds a partial or tampered download. A mismatch, an HTTP error
or a timeout moves on to the next mirror.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.request
from pathlib import Path

__all__ = ["DownloadError", "fetch"]

# Seconds to wait for a connection or for the next block of bytes: long
# enough for a slow link, short enough that an offline machine falls back fast.
TIMEOUT_S = 10
_BLOCK = 1 << 16


class DownloadError(OSError):
    """No mirror delivered the file with the expected checksum."""


def _fetch_one(url, tmp, size, sha256, timeout):
    digest = hashlib.sha256()
    received = 0
    with urllib.request.urlopen(url, timeout=timeout) as response:
        while True:
            block = response.read(_BLOCK)
            if not block:
                break
            received += len(block)
            if size is not None and received > size:
                # Stop early rather than fill the disk with the wrong thing.
                raise DownloadError(f"{url}: more than the expected {size} bytes")
            digest.update(block)
            tmp.write(block)
    if digest.hexdigest() != sha256:
        raise DownloadError(
            f"{url}: SHA-256 mismatch (got {digest.hexdigest()}, expected {sha256})"
        )


def fetch(name, sha256, mirrors, dest_dir, size=None, timeout=TIMEOUT_S):
    """Download `name` from the first mirror that serves it intact into dest_dir.

    mirrors: base URLs ending in "/"; the file is mirror + name.
    sha256: the expected hex digest; size: the expected byte count (None: any).
    Returns the path written. Raises DownloadError listing every mirror's failure.
    """
    dest_dir = Path(dest_dir)
    failures = []
    for mirror in mirrors:
        url = mirror + name
        try:
            dest_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest_dir)
        except OSError as exc:
            # A file in the way, a parent that cannot be created, no write
            # permission: no other mirror can fix that, so say so at once.
            raise DownloadError(f"cannot write {name} into {dest_dir}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as tmp:
                _fetch_one(url, tmp, size, sha256, timeout)
            os.replace(tmp_name, dest_dir / name)
            return dest_dir / name
        except (OSError, http.client.HTTPException) as exc:
            # URLError, HTTPError, timeouts and DownloadError are all OSErrors;
            # a connection cut mid-body raises http.client.IncompleteRead.
            failures.append(str(exc) if isinstance(exc, DownloadError) else f"{url}: {exc}")
        finally:
            if os.path.exists(tmp_name):
                os.remove(tmp_name)
    raise DownloadError(f"could not download {name}: " + "; ".join(failures or ["no mirrors"]))
