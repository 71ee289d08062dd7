"""Confusion matrix and per-class precision / recall / F1 of any fastnet network.

    from fastnet.sklearn.metrics import report, plot_confusion_matrix
    r = report(net, x_test, t_test)          # a book net, a keras model or an estimator
    print(r.text)                            # scikit-learn's classification_report
    plot_confusion_matrix(r, "confusion.png")

Nothing is computed here: the numbers are scikit-learn's confusion_matrix
and precision_recall_fscore_support, the text its classification_report and
the plot its ConfusionMatrixDisplay. Accuracy alone misleads when classes
are imbalanced (99 % on data that is 99 % one class); per-class recall and
F1 show which classes a net gets wrong.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix
from sklearn.metrics import precision_recall_fscore_support as per_class_scores

from ..device import to_numpy

__all__ = ["Report", "plot_confusion_matrix", "predicted_labels", "report"]

BATCH_ROWS = 1000  # rows per forward pass: a book net's predict holds every activation


@dataclass
class Report:
    """The scores of one net on one test set (rows and columns in the order of labels)."""

    labels: np.ndarray
    confusion_matrix: np.ndarray  # [i, j]: samples of class labels[i] predicted labels[j]
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # samples of each class
    accuracy: float
    text: str  # classification_report's table


def _labels_of(t):
    t = np.asarray(to_numpy(t))
    return t.argmax(axis=1) if t.ndim == 2 else t  # one-hot rows, as the book allows


def predicted_labels(net, x):
    """What `net` predicts for x: labels from an estimator, argmax of a net's scores.

    A book-style net (predict returns one score per class) or a fastnet.keras
    model is run batch by batch; a scikit-learn estimator's predict is used as is.
    """
    if hasattr(net, "classes_"):
        return np.asarray(net.predict(x))
    keras_style = hasattr(net, "compile")
    out = []
    for i in range(0, x.shape[0], BATCH_ROWS):
        rows = x[i:i + BATCH_ROWS]
        scores = net.predict(rows, verbose=0) if keras_style else net.predict(rows)
        scores = np.asarray(to_numpy(scores))
        out.append(scores.argmax(axis=1) if scores.ndim == 2 and scores.shape[1] > 1
                   else (scores.ravel() > 0.5).astype(np.intp))
    return np.concatenate(out) if out else np.empty(0, dtype=np.intp)


def report(net, x, t, target_names=None, digits=4):
    """The confusion matrix and per-class precision / recall / F1 of `net` on (x, t).

    t: labels or one-hot rows. target_names: a name per class for the text
    (e.g. digit names); digits: decimals in the text.
    """
    t = _labels_of(t)
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"x has {x.shape[0]} samples but t has {t.shape[0]}")
    if t.shape[0] == 0:
        raise ValueError("report needs at least one sample")
    y = predicted_labels(net, x)
    labels = np.union1d(t, y)
    precision, recall, f1, support = per_class_scores(t, y, labels=labels, zero_division=0)
    return Report(
        labels=labels,
        confusion_matrix=confusion_matrix(t, y, labels=labels),
        precision=precision,
        recall=recall,
        f1=f1,
        support=support,
        accuracy=float(np.mean(t == y)),
        text=classification_report(t, y, labels=labels, target_names=target_names,
                                   digits=digits, zero_division=0),
    )


def plot_confusion_matrix(result, path="confusion_matrix.png", title=None):
    """Save `result`'s confusion matrix (a Report) as an image; returns the path.

    Drawn off-screen (a matplotlib Figure without pyplot's windows), so it
    works on servers and in CI. matplotlib is optional: without it this
    raises an ImportError saying what to install.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("saving the confusion-matrix plot needs matplotlib: "
                          'pip install matplotlib (or "fastnet[plot]")') from exc
    from sklearn.metrics import ConfusionMatrixDisplay

    fig = Figure(figsize=(6, 5.5))
    ax = fig.add_subplot(1, 1, 1)
    display = ConfusionMatrixDisplay(result.confusion_matrix, display_labels=result.labels)
    display.plot(ax=ax, colorbar=True, values_format="d")
    ax.set_title(title or f"Confusion matrix (accuracy {result.accuracy:.4f})")
    fig.tight_layout()
    fig.savefig(path)
    return path
