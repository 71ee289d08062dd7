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


def _nesting_depth(rows):
    """How many lists deep the instances go, following first items: one sample
    more than a row's dimensions. A ragged tail is np.array's to find."""
    depth, item = 0, rows
    while isinstance(item, list) and item:
        depth, item = depth + 1, item[0]
    return depth


def _check_depth(rows, input_shape):
    # NumPy refuses arrays of more than 64 dimensions with a ValueError that
    # reads like a ragged batch; counting first says what is really wrong.
    most = max(len(shape) for shape in _accepted_shapes(input_shape))
    depth = _nesting_depth(rows)
    if depth > most + 1:
        raise RequestError(f"the instances are nested too deeply ({depth} lists): rows of "
                           f"{depth - 1} dimensions, more than this model's input has (each "
                           f"row must be {math.prod(input_shape)} numbers or shaped "
                           f"{tuple(input_shape)})", status=422)


def _check_range(batch, dtype):
    # Finite in float64 is not enough: the model computes in its own dtype, where
    # 1e39 is float32's inf, and an inf input makes every output NaN.
    largest = np.finfo(dtype).max
    if batch.size and np.abs(batch).max() > largest:
        raise RequestError(f"instances hold values too large for this model, which computes "
                           f"in {np.dtype(dtype).name}: its largest number is {largest:.4g}",
                           status=422)


def parse_instances(body, input_shape, max_rows, dtype=np.float64):
    """A float64 array (n, *input_shape) from the request body, its values within the range
    of the model's `dtype`, or a RequestError."""
    rows = _decode(body)
    if not isinstance(rows, list):
        raise RequestError(f"instances must be a list of rows, got {type(rows).__name__}")
    if not rows:
        raise RequestError("instances is empty: send at least one row")
    if len(rows) > max_rows:
        raise RequestError(f"{len(rows)} rows, more than this server's limit of {max_rows} "
                           "(--max-rows)", status=413)
    _check_depth(rows, input_shape)
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
    _check_range(batch, dtype)
    return batch.reshape(len(rows), *input_shape)
