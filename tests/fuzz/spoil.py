"""Bad arguments: one argument of a valid case made wrong, to compare error behaviour.

The reference's checks (fastnet/backend/checks/) are the specification
of bad input: where the reference raises ValueError or TypeError, every
backend must raise the same type, and no backend may raise anything else.
"""

import numpy as np

BAD_DTYPES = (np.int32, np.float16, np.complex64, np.bool_, np.int64)


def _spoil_array(d, a):
    how = d.pick(("dtype", "dtype", "extra_axis", "drop_axis", "grow", "none", "list"))
    if how == "dtype":
        with np.errstate(all="ignore"):
            return a.astype(d.pick(BAD_DTYPES)), "cast to a bad dtype"
    if how == "extra_axis":
        return a[..., None], "an extra axis"
    if how == "drop_axis" and a.ndim:
        return a[..., 0] if a.shape[-1] else a.sum(axis=-1), "one axis fewer"
    if how == "grow" and a.ndim:
        return np.concatenate([a, a[..., :1]], axis=-1), "one more column"
    if how == "list" and not d.device:
        return a.tolist(), "a nested list (valid on a CPU backend)"
    return None, "None"


def _spoil_int(d, value):
    bad = d.pick((0, -1, -value - 1, 2.5, True, "3", 10**6))
    return bad, f"{bad!r} instead of {value}"


def _spoil_tuple(d, value):
    if not value:
        return (-1,), "(-1,)"
    index = int(d.rng.integers(len(value)))
    bad = list(value)
    bad[index] = d.pick((-1, 0, 1.5, None))
    bad = tuple(bad) if d.coin(0.8) else tuple(bad[:-1])
    return bad, f"{bad!r} instead of {value!r}"


def spoil(d, case):
    """Replace one argument of `case` with a bad one; say which and how in case.geometry."""
    positions = [i for i, a in enumerate(case.args) if a is not None]
    if not positions:
        return case
    i = d.pick(positions)
    value = case.args[i]
    if isinstance(value, np.ndarray):
        bad, how = _spoil_array(d, value)
    elif isinstance(value, bool):
        bad, how = (None, "None") if d.coin() else ("yes", "'yes'")
    elif isinstance(value, int):
        bad, how = _spoil_int(d, value)
    elif isinstance(value, float):
        bad = d.pick((-0.5, 1.0, float("nan"), float("inf"), "0.1"))
        how = f"{bad!r} instead of {value!r}"
    elif isinstance(value, str):
        bad, how = d.pick(("softplus", "", None)), "an unknown activation"
    elif isinstance(value, tuple):
        bad, how = _spoil_tuple(d, value)
    else:
        return case
    case.args[i] = bad
    case.geometry = (case.geometry + "; " if case.geometry else "") + \
        f"BAD INPUT: argument {i} is {how}"
    return case
