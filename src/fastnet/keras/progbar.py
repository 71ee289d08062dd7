"""Keras' training log: `Epoch 1/5` then `469/469 [====] - 2s 4ms/step - loss: ... - acc: ...`.

verbose=1 redraws the bar in place on a terminal (at most every 0.1 s, so
drawing never slows training) and leaves the epoch's final line; when the
output is a file or a pipe only the final line is written. verbose=2 writes
one line per epoch without a bar; verbose=0 writes nothing.
"""

import sys
import time

import numpy as np

from ..progress import is_tty

__all__ = ["Progbar"]


def _per_step(seconds):
    return f"{seconds * 1e6:.0f}us/step" if seconds < 1e-3 else f"{seconds * 1e3:.0f}ms/step"


def format_logs(logs):
    # A per-class metric (F1Score(average=None)) is an array: Keras prints its mean.
    return "".join(f" - {key}: {float(np.mean(value)):.4f}" for key, value in logs.items())


class Progbar:
    """Progress through `target` steps, showing the running values of `logs`."""

    def __init__(self, target, verbose=1, width=30, stream=None, interval=0.1):
        self.target = target
        self.verbose = verbose
        self.width = width
        self.stream = sys.stdout if stream is None else stream
        self.interval = interval
        self.interactive = is_tty(self.stream)
        self.start = time.perf_counter()
        self._last = float("-inf")
        self._drawn = 0

    def update(self, step, logs=None):
        """Redraw for `step` steps done (terminal, verbose=1 only)."""
        if self.verbose != 1 or not self.interactive:
            return
        now = time.perf_counter()
        if now - self._last < self.interval:
            return
        self._last = now
        self._write("\r" + self._line(step, logs or {}, now), end="")

    def finish(self, logs=None):
        """Write the final line of this bar."""
        if self.verbose == 0:
            return
        now = time.perf_counter()
        line = self._line(self.target, logs or {}, now)
        self._write(("\r" if self.interactive and self.verbose == 1 else "") + line, end="\n")

    def _line(self, step, logs, now):
        elapsed = now - self.start
        per_step = elapsed / max(step, 1)
        if self.verbose == 2:
            return f"{step}/{self.target} - {elapsed:.0f}s - {_per_step(per_step)}" + (
                format_logs(logs))
        filled = self.width * step // max(self.target, 1)
        bar = "=" * max(filled - 1, 0) + (">" if filled < self.width else "=") if filled else ""
        bar = bar.ljust(self.width, ".")
        timing = f"{elapsed:.0f}s {_per_step(per_step)}"
        if step < self.target:
            timing = f"ETA: {per_step * (self.target - step):.0f}s"
        return f"{step}/{self.target} [{bar}] - {timing}{format_logs(logs)}"

    def _write(self, text, end):
        pad = " " * max(self._drawn - len(text), 0) if text.startswith("\r") else ""
        self.stream.write(text + pad + end)
        self.stream.flush()
        self._drawn = 0 if end == "\n" else len(text)
