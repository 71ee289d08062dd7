"""The JSON body of POST /predict, checked and turned into a float batch.

{"instances": [row, row, ...]}: each row is one sample, either flat
(input_size numbers) or shaped like the model's input (a 28×28 image for a
784-input network, or (1, 28, 28) / 28×28 for a convolutional one). Every
way a body can be wrong gets a RequestError naming it; nothing here trusts
the client's sizes before counting them.
"""

import json
import math

import numpy as np

from .errors import RequestError

__all__ = ["parse_instances"]


def _decode(body):
    try:
        document = json.loads(body)
    except UnicodeDecodeError:
        raise RequestError("the body is not UTF-8 text") from None
    except RecursionError:
        raise RequestError("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise RequestError(f"the body is not valid JSON ({exc})") from None
    if not isinstance(document, dict) or "instances" not in document:
        raise RequestError('the body must be a JSON object {"instances": [[...], ...]}')
    return document["instances"]


def _accepted_shapes(input_shape):
    """Row shapes that mean one sample: the model's, flat, and without leading 1s."""
    size = math.prod(input_shape)
    shapes = {tuple(input_shape), (size,)}
    squeezed = tuple(input_shape)
    while len(squeezed) > 1 and squeezed[0] == 1:
        squeezed = squeezed[1:]
        shapes.add(squeezed)
    side = math.isqrt(size)
    if side * side == size:
        shapes.add((side, side))  # an image for a flat-input network
    return shapes


def parse_instances(body, input_shape, max_rows):
    """A float64 array (n, *input_shape) from the request body, or a RequestError."""
    rows = _decode(body)
    if not isinstance(rows, list):
        raise RequestError(f"instances must be a list of rows, got {type(rows).__name__}")
    if not rows:
        raise RequestError("instances is empty: send at least one row")
    if len(rows) > max_rows:
        raise RequestError(f"{len(rows)} rows, more than this server's limit of {max_rows} "
                           "(--max-rows)", status=413)
    try:
        batch = np.array(rows)
    except (ValueError, TypeError, OverflowError):
        raise RequestError("the rows are not all of the same shape") from None
    if batch.dtype.kind not in "iuf":
        raise RequestError("instances must hold numbers only (found "
                           f"{'true/false' if batch.dtype.kind == 'b' else 'other values'})")
    if batch.ndim < 2 or tuple(batch.shape[1:]) not in _accepted_shapes(input_shape):
        found = tuple(batch.shape[1:]) if batch.ndim > 1 else "a single number"
        raise RequestError(f"each row must be {math.prod(input_shape)} numbers or shaped "
                           f"{tuple(input_shape)}; got rows of shape {found}", status=422)
    batch = batch.astype(np.float64)
    if not np.isfinite(batch).all():
        raise RequestError("instances hold NaN or infinite values", status=422)
    return batch.reshape(len(rows), *input_shape)
