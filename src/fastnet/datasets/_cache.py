"""Where downloaded data sets are kept.

FASTNET_DATA names the directory when set; otherwise the platform's cache
directory: $XDG_CACHE_HOME/fastnet or ~/.cache/fastnet on Linux,
~/Library/Caches/fastnet on macOS, %LOCALAPPDATA%\\fastnet on Windows.
"""

import os
import sys
from pathlib import Path

from ._download import DownloadError

__all__ = ["data_dir", "data_dir_error", "describe_data_dir", "offline"]


def data_dir():
    """The directory fastnet reads and downloads data sets into (not created here)."""
    explicit = os.environ.get("FASTNET_DATA")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "fastnet" if base else Path.home() / "AppData" / "Local" / "fastnet"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "fastnet"
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "fastnet"
    return Path.home() / ".cache" / "fastnet"


def describe_data_dir(directory):
    """The data folder for a message, naming FASTNET_DATA when that chose it,
    since that is what the user has to change (a typo naming a file, say)."""
    explicit = os.environ.get("FASTNET_DATA")
    return f"{directory} (FASTNET_DATA={explicit!r})" if explicit else str(directory)


def data_dir_error(directory, exc):
    """A DownloadError saying the data folder cannot be used, and why."""
    return DownloadError(f"the data folder {describe_data_dir(directory)} cannot be used: {exc}")


def offline():
    """True when FASTNET_OFFLINE asks fastnet never to touch the network."""
    return os.environ.get("FASTNET_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")
