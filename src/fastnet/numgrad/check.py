"""gradient_check: backpropagation against central differences, per parameter.

    report = fastnet.gradient_check(net, x_batch, t_batch)
    print(report)                 # one line per parameter, like the book's gradient_check.py
    report["W1"].max_abs          # the numbers, for a test

The book's chapter 5 script prints the mean absolute difference per
parameter; this report has that, the largest absolute difference and the
largest relative one, |a - b| / max(|a|, |b|, tiny), with where it occurs.
"""

from dataclasses import dataclass

import numpy as np

from ..device import to_numpy

__all__ = ["GradientReport", "ParamCheck", "gradient_check"]

_TINY = 1e-12  # below this both gradients count as zero in the relative error


@dataclass
class ParamCheck:
    """How one parameter's backprop gradient differs from its numerical one."""

    name: str
    shape: tuple
    mean_abs: float
    max_abs: float
    max_rel: float
    where: tuple  # index of the largest absolute difference
    backprop: float  # the two gradients there
    numerical: float


class GradientReport(dict):
    """{param name: ParamCheck}, printed as a table."""

    def max_abs(self):
        """The largest absolute difference over all parameters."""
        return max((c.max_abs for c in self.values()), default=0.0)

    def __str__(self):
        lines = [f"{'param':<8} {'shape':<14} {'mean |diff|':>12} {'max |diff|':>12} "
                 f"{'max rel':>10}  at index: backprop vs numerical"]
        for c in self.values():
            lines.append(f"{c.name:<8} {str(c.shape):<14} {c.mean_abs:12.3e} {c.max_abs:12.3e} "
                         f"{c.max_rel:10.3e}  {c.where}: {c.backprop:.6e} vs {c.numerical:.6e}")
        return "\n".join(lines)


def gradient_check(net, x, t, numerical=None):
    """Compare net.gradient(x, t) with net.numerical_gradient(x, t) (or the `numerical`
    dict given); returns a GradientReport."""
    if numerical is None:
        numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    report = GradientReport()
    for key in net.params:
        a = to_numpy(backprop[key]).astype(np.float64)
        b = to_numpy(numerical[key]).astype(np.float64)
        diff = np.abs(a - b)
        if diff.size == 0:
            report[key] = ParamCheck(key, a.shape, 0.0, 0.0, 0.0, (), 0.0, 0.0)
            continue
        rel = diff / np.maximum(np.maximum(np.abs(a), np.abs(b)), _TINY)
        where = np.unravel_index(int(diff.argmax()), diff.shape)
        report[key] = ParamCheck(key, a.shape, float(diff.mean()), float(diff.max()),
                                 float(rel.max()), tuple(int(i) for i in where),
                                 float(a[where]), float(b[where]))
    return report
