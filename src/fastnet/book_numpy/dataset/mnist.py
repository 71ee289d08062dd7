"""load_mnist with the book's signature; the digits come from fastnet's loader,
so the NumPy baseline and fastnet train on exactly the same data."""

from fastnet.datasets import load_mnist  # noqa: F401
