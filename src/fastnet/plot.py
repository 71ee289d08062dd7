"""Training curves: plot_history(history) draws loss and accuracy per epoch.

matplotlib is an optional extra (`pip install "fastnet[plot]"`). With a
display the figure is shown; without one (a server, CI, ssh) or when `path`
is given it is saved to a PNG file and its path returned.
"""

import os
import sys

__all__ = ["plot_history"]


def _has_display():
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def plot_history(history, path=None, metrics=None, show=None):
    """Plot each quantity of `history` (a History or its .history dict) per epoch.

    One panel per quantity ('loss', then each metric such as 'acc' or
    'accuracy'), training as dots and validation ('val_' + name) as a line,
    the style of the Keras book's figures. Returns the file it saved, or
    None when the figure was shown on screen.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "plot_history needs matplotlib: pip install matplotlib (or \"fastnet[plot]\")"
        ) from exc
    logs = getattr(history, "history", history)
    names = metrics or [k for k in logs if not k.startswith("val_")]
    if not names:
        raise ValueError("the history is empty: nothing to plot")
    if show is None:
        show = path is None and _has_display()
    if show:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(5 * len(names), 4))
    else:
        # A Figure without pyplot draws off-screen, whatever the backend.
        fig = Figure(figsize=(5 * len(names), 4))
    for i, name in enumerate(names, 1):
        ax = fig.add_subplot(1, len(names), i)
        values = logs[name]
        epochs = range(1, len(values) + 1)
        ax.plot(epochs, values, "bo", label=f"Training {name}")
        if "val_" + name in logs:
            ax.plot(epochs, logs["val_" + name], "b", label=f"Validation {name}")
        ax.set_title(f"Training and validation {name}")
        ax.set_xlabel("Epochs")
        ax.set_ylabel(name)
        ax.legend()
    fig.tight_layout()
    if show:
        plt.show()
        return None
    path = path or "history.png"
    fig.savefig(path)
    return path
