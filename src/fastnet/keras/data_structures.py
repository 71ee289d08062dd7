"""Data for models with several inputs or outputs: lists and dicts of arrays, in order.

Keras' forms: a list or tuple in the model's order, or a dict by name; a
model with one input also takes [x] and {name: x}. A tuple of arrays is
also how batches of several inputs / outputs travel inside fastnet.
"""

__all__ = ["each", "rows", "same_rows", "split"]


def rows(a):
    """The number of samples in an array or a tuple of arrays (one per input / output)."""
    return a[0].shape[0] if isinstance(a, tuple) else a.shape[0]


def each(f, a):
    return tuple(f(item) for item in a) if isinstance(a, tuple) else f(a)


def split(value, names, what):
    """One item per name from a list / tuple in order or a dict by name (Keras' forms)."""
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        if missing:
            raise ValueError(f"missing data for {what} {missing[0]!r}: the dict has keys "
                             f"{sorted(map(str, value))}, the model expects {names}")
        extra = sorted(str(k) for k in value if k not in names)
        if extra:
            raise ValueError(f"{what} dict has keys {extra} that name none of the model's "
                             f"{what}s {names}")
        return [value[n] for n in names]
    if len(names) == 1:
        if isinstance(value, (list, tuple)) and len(value) == 1 and not isinstance(
                value[0], (int, float)):
            return [value[0]]
        return [value]
    if not isinstance(value, (list, tuple)) or len(value) != len(names):
        got = (f"a {type(value).__name__} of {len(value)}" if isinstance(value, (list, tuple))
               else f"one {type(value).__name__}")
        raise ValueError(f"the model has {len(names)} {what}s {names}: pass a list of "
                         f"{len(names)} arrays in that order, or a dict by name; got {got}")
    return list(value)


def same_rows(arrays, what):
    counts = {a.shape[0] for a in arrays}
    if len(counts) > 1:
        raise ValueError(f"data cardinality differs: the {what}s hold "
                         f"{[a.shape[0] for a in arrays]} samples")
