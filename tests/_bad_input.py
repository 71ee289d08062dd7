"""The check behind the bad-input catalogue (tests/engine/test_bad_input_catalogue*.py).

A row is (id, call, error, regex): call() must raise exactly `error` (a
subclass is not enough: NumPy's UFuncTypeError or AxisError would pass for
TypeError or ValueError) with a message the regex finds, on each backend of
BACKENDS. A defect row carries a fifth item, why it is skipped until the
library is fixed; moving it into the cases makes it an ordinary row.
"""

import pytest

import fastnet

BACKENDS = ("numpy", "cython")


def rows(cases, defects):
    """The pytest params of a table: its cases, then its defects skipped with their reason."""
    skipped = [pytest.param(*row[:4], id=row[0], marks=pytest.mark.skip(reason=f"defect: {row[4]}"))
               for row in defects]
    return [pytest.param(*row, id=row[0]) for row in cases] + skipped


def assert_refused(backend_name, call, error, match, *args):
    """call(*args) on backend `backend_name` raises exactly `error`, its message matching."""
    try:
        fastnet.backend.load(backend_name)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"backend {backend_name!r} unavailable: {exc}")
    with fastnet.using_backend(backend_name), pytest.raises(error, match=match) as caught:
        call(*args)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
