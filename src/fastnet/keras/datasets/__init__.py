"""Keras' data sets: mnist, boston_housing (offline), imdb and reuters (from Keras' cache).

    from fastnet.keras.datasets import mnist
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()

mnist falls back to the 5,000 digits bundled with fastnet when the full set
cannot be had (with a BundledDataWarning); boston_housing is bundled.
fastnet does not download IMDB or Reuters: their loaders read the files
Keras itself downloads (~/.keras/datasets/, or $KERAS_HOME/datasets/) and
say where to put them when they are missing.
"""

from . import boston_housing, imdb, mnist, reuters

__all__ = ["boston_housing", "imdb", "mnist", "reuters"]
