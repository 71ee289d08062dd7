"""The check behind the bad-input catalogue (tests/engine/test_bad_input_catalogue*.py).

A row is (id, call, error, regex): call() must raise exactly `error` (a
subclass is not enough: NumPy's UFuncTypeError or AxisError would pass for
TypeError or ValueError) with a message the regex finds, on each backend of
BACKENDS. A defect row carries a fifth item, the defect in one line, and
optionally a sixth, the backends it is seen on (all when absent): it is an
expected failure there (strict, so the fix of the defect makes it pass and
then fail the run until the row moves into the cases).
"""

import pytest

import fastnet

BACKENDS = ("numpy", "cython")


def rows(cases, defects=(), backends=BACKENDS):
    """The pytest params (backend_name, name, call, error, match) of a table on `backends`."""
    params = []
    for row in list(cases) + list(defects):
        for backend_name in backends:
            marks = ()
            if len(row) > 4 and backend_name in (row[5] if len(row) > 5 else backends):
                marks = pytest.mark.xfail(strict=True, reason=f"defect: {row[4]}")
            params.append(pytest.param(backend_name, *row[:4], id=f"{row[0]}-{backend_name}",
                                       marks=marks))
    return params


def assert_refused(backend_name, call, error, match, *args):
    """call(*args) on backend `backend_name` raises exactly `error`, its message matching."""
    try:
        fastnet.backend.load(backend_name)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"backend {backend_name!r} unavailable: {exc}")
    with fastnet.using_backend(backend_name), pytest.raises(error, match=match) as caught:
        call(*args)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
