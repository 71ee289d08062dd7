"""Each test starts with fastnet.keras' one-time Keras 2 warnings not yet given."""

import pytest

from fastnet.keras import legacy


@pytest.fixture(autouse=True)
def _fresh_keras2_warnings(monkeypatch):
    # The warnings are once per process; without this, which test sees one
    # would depend on the order the tests run in.
    monkeypatch.setattr(legacy, "_WARNED", set())
