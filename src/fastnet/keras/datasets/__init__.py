"""Keras' data sets: mnist, boston_housing (offline), imdb and reuters (Keras' files).

    from fastnet.keras.datasets import mnist
    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()

mnist falls back to the 5,000 digits bundled with fastnet when the full set
cannot be had (with a BundledDataWarning); boston_housing is bundled.
IMDB and Reuters are the files Keras itself uses, in Keras' cache
(~/.keras/datasets/, or $KERAS_HOME/datasets/): a file already there is read
as it is; a missing one is downloaded from Keras' URL, checked against the
digest Keras checks, and renamed into place only when it matches.
FASTNET_OFFLINE=1 forbids the download (the error says where to put the file).
"""

from . import boston_housing, imdb, mnist, reuters

__all__ = ["boston_housing", "imdb", "mnist", "reuters"]
