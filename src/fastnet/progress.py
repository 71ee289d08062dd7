"""A one-line progress bar for training loops, with no dependencies.

On a terminal the bar is redrawn in place (carriage return) at most every
`min_interval` seconds, so drawing never costs more than the training step;
`finish(message)` replaces it with a summary line. When the stream is not a
terminal (a log file, a pipe, a test) nothing is drawn: only the summary
lines are written, one per bar, so logs stay readable.
"""

import sys
import time

__all__ = ["ProgressBar", "is_tty"]


def is_tty(stream):
    """True when `stream` is an open terminal (where a bar can be redrawn in place)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class ProgressBar:
    """Progress through `total` steps, e.g. the mini-batches of one epoch.

        bar = ProgressBar(steps, "epoch 1/10")
        for ...:
            ...
            bar.update()
        bar.finish("epoch 1/10  loss 0.31")
    """

    def __init__(self, total, label="", stream=None, width=30, min_interval=0.1):
        self.total = max(int(total), 0)
        self.label = label
        self.stream = sys.stdout if stream is None else stream
        self.width = width
        self.min_interval = min_interval
        self.count = 0
        self.interactive = is_tty(self.stream)
        self._drawn = 0  # characters on screen, to blank them when overwriting
        self._last_draw = float("-inf")

    def update(self, n=1):
        """Advance by n steps; redraw when enough time has passed (terminal only)."""
        before = self.count
        self.count = min(self.count + n, self.total)
        if not self.interactive or self.count == before:
            return
        now = time.perf_counter()
        if now - self._last_draw >= self.min_interval or self.count == self.total:
            self._last_draw = now
            self._write(self._bar())

    def finish(self, message=None):
        """End the bar: print `message` (default: the full bar) on its own line."""
        self._write(self._bar() if message is None else message)
        self.stream.write("\n")
        self.stream.flush()
        self._drawn = 0

    def _bar(self):
        filled = self.width * self.count // self.total if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.label} [{bar}] {self.count}/{self.total}"

    def _write(self, text):
        if self.interactive:
            # Pad with spaces to erase a longer previous line: portable to
            # consoles that do not understand ANSI "clear line".
            self.stream.write("\r" + text + " " * max(self._drawn - len(text), 0))
            self._drawn = len(text)
        else:
            self.stream.write(text)
        self.stream.flush()
