"""Each test starts with fastnet.keras' one-time Keras 2 warnings not yet given."""

import pytest

from fastnet.keras import legacy


@pytest.fixture(autouse=True)
def _fresh_keras2_warnings(monkeypatch):
    # The warnings are once per process; without this, which test sees one
    # would depend on the order the tests run in.
    monkeypatch.setattr(legacy, "_WARNED", set())


@pytest.fixture(autouse=True)
def _no_real_downloads(monkeypatch):
    # A data set missing from a test's cache must never be fetched from
    # Keras' real URL: nothing listens on the discard port of loopback.
    from fastnet.keras.datasets import _keras_cache

    monkeypatch.setattr(_keras_cache, "ORIGIN", "http://127.0.0.1:9/")
