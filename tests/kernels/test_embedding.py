"""The embedding gradient (the embedding family): every backend against the reference,
the reference against a plain loop, and bad input refused with a clear error.

Every backend adds each table row's look-ups in look-up order, as the
reference does, so the results are compared for equality, not closeness.
"""

import numpy as np
import pytest

import fastnet

# (rows of dout N, look-ups per row S, table rows V, columns D)
SHAPES = [
    (1, 1, 1, 1),
    (0, 3, 5, 4),      # an empty batch: a table of zeros
    (3, 0, 5, 4),      # no look-ups at all
    (4, 2, 3, 0),      # a table without columns
    (7, 13, 11, 3),    # primes
    (5, 1, 3, 17),     # one look-up per row, a width past a vector's
    (2, 257, 97, 16),  # the IMDB tutorial's shape, smaller: a shared row per sample
]


def draw(shape, dtype, seed=0, ids_high=None):
    n, steps, rows, d = shape
    rng = np.random.default_rng(seed)
    dout = rng.standard_normal((n, d)).astype(dtype)
    ids = rng.integers(0, ids_high or rows, size=(n, steps))
    return dout, ids


def plain_loop(dout, ids, input_dim):
    """The definition, one addition at a time in look-up order."""
    grad = np.zeros((input_dim, dout.shape[1]), dout.dtype)
    for n in range(ids.shape[0]):
        for s in range(ids.shape[1]):
            grad[ids[n, s]] += dout[n]
    return grad


def check(backend, reference, dout, ids, input_dim):
    got = backend.embedding_backward(dout, ids, input_dim)
    want = reference.embedding_backward(dout, ids, input_dim)
    assert got.shape == (input_dim, dout.shape[1]) and got.dtype == dout.dtype
    np.testing.assert_array_equal(got, want)
    return got


@pytest.mark.parametrize("shape", SHAPES)
def test_embedding_backward(backend, reference, dtype, shape):
    dout, ids = draw(shape, dtype)
    check(backend, reference, dout, ids, shape[2])


@pytest.mark.parametrize("shape", SHAPES)
def test_the_reference_is_the_plain_loop(reference, dtype, shape):
    dout, ids = draw(shape, dtype)
    np.testing.assert_array_equal(reference.embedding_backward(dout, ids, shape[2]),
                                  plain_loop(dout, ids, shape[2]))


def test_repeated_and_equal_ids_add_up(backend, reference, dtype):
    dout = np.array([[1.0, 2.0], [10.0, 20.0], [100.0, 200.0]], dtype)
    ids = np.array([[3, 3], [0, 3], [3, 3]])
    got = check(backend, reference, dout, ids, 5)
    np.testing.assert_array_equal(got, [[10, 20], [0, 0], [0, 0], [212, 424], [0, 0]])
    same = np.zeros((3, 4), dtype=np.int64)  # every look-up on row 0
    got = check(backend, reference, dout, same, 2)
    np.testing.assert_array_equal(got, [4 * dout.sum(axis=0), [0, 0]])


def test_sums_run_in_look_up_order(backend, reference):
    """1 + 1e8 - 1e8 in float32 is 0 in this order, 1 in another: the order is part of
    the answer, and every backend gives the reference's."""
    dout = np.array([[1.0], [1e8], [-1e8]], np.float32)
    ids = np.zeros((3, 1), np.int64)
    got = check(backend, reference, dout, ids, 1)
    assert got[0, 0] == 0.0


def test_shared_rows_equal_the_full_gradient(backend, dtype):
    """Row n shared by S look-ups gives what S copies of it, one look-up each, give."""
    dout, ids = draw((6, 50, 9, 16), dtype, seed=3)
    shared = backend.embedding_backward(dout, ids, 9)
    full = backend.embedding_backward(np.repeat(dout, 50, axis=0), ids.reshape(-1, 1), 9)
    np.testing.assert_array_equal(shared, full)


@pytest.mark.parametrize("layout", ["dout columns strided", "dout rows reversed",
                                    "dout one row for all", "ids transposed",
                                    "ids int32", "ids uint8", "ids big-endian"])
def test_any_layout_of_the_inputs(backend, reference, dtype, layout):
    dout, ids = draw((9, 5, 7, 6), dtype, seed=4)
    if layout == "dout columns strided":
        dout = np.repeat(dout, 2, axis=1)[:, ::2]
    elif layout == "dout rows reversed":
        dout = dout[::-1]
    elif layout == "dout one row for all":
        dout = np.broadcast_to(dout[:1], dout.shape)
    elif layout == "ids transposed":
        ids = np.asfortranarray(ids)
    elif layout == "ids big-endian":
        ids = ids.astype(">i8")
    else:
        ids = ids.astype(layout.split()[1])
    check(backend, reference, dout, ids, 7)


def test_one_and_two_threads_agree(backend, dtype):
    """A wide table (D >= 64) splits its columns over threads; each column's sum
    keeps its order, so the thread count changes nothing."""
    dout, ids = draw((64, 32, 50, 80), dtype, seed=5)
    results = []
    for threads in (1, 2):
        fastnet.set_num_threads(threads)
        results.append(backend.embedding_backward(dout, ids, 50))
    np.testing.assert_array_equal(*results)


def test_nan_and_inf_reach_only_their_rows(backend, reference):
    dout = np.array([[np.nan, 1.0], [np.inf, 2.0], [3.0, 4.0]])
    ids = np.array([[0], [1], [2]])
    got = check(backend, reference, dout, ids, 4)
    assert np.isnan(got[0, 0]) and got[1, 0] == np.inf and got[2, 0] == 3.0
    assert np.isfinite(got[:, 1]).all()


# ------------------------------------------------------------ bad input

DOUT = np.ones((3, 2))
IDS = np.array([[0, 1], [2, 3], [4, 0]])

BAD = [
    ((DOUT, IDS, 4), ValueError, r"ids must lie in \[0, 4\) \(input_dim\), got values from 0 to 4"),
    ((DOUT, IDS - 1, 5), ValueError, r"ids must lie in \[0, 5\).*from -1 to 3"),
    ((DOUT, np.full((3, 1), 2**63, np.uint64), 5), ValueError, r"ids must lie in \[0, 5\)"),
    ((DOUT, IDS.astype(np.float64), 5), TypeError, r"ids must be integers, got dtype float64"),
    ((DOUT, IDS.astype(bool), 5), TypeError, r"ids must be integers, got dtype bool"),
    ((DOUT, IDS.ravel()[:3], 5), ValueError,
     r"ids must have shape \(N, S\) with N = 3.*got shape \(3,\).*reshape\(-1, 1\)"),
    ((DOUT, IDS[:2], 5), ValueError, r"N = 3, the rows of dout \(3, 2\), got shape \(2, 2\)"),
    ((DOUT.ravel(), IDS, 5), ValueError, r"dout must be 2-D, got shape \(6,\)"),
    ((DOUT.astype(np.int64), IDS, 5), TypeError, r"dout must be float32 or float64"),
    ((DOUT, IDS, 0), ValueError, r"input_dim must be >= 1, got 0"),
    ((DOUT, IDS, -5), ValueError, r"input_dim must be >= 1, got -5"),
    ((DOUT, IDS, 5.0), TypeError, r"input_dim must be an integer, got 5.0"),
    ((DOUT, IDS, True), TypeError, r"input_dim must be an integer, got True"),
    ((DOUT, "0 1", 5), TypeError, r"ids|host"),
    # Tables no array can hold: NumPy's "Maximum allowed dimension exceeded" before.
    ((DOUT, IDS, np.uint64(2**64 - 1)), ValueError, r"input_dim 18446744073709551615 is too"),
    ((DOUT, IDS, 2**62), ValueError, r"input_dim 4611686018427387904 is too large"),
]


@pytest.mark.parametrize("args, error, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_refused_clearly(backend, args, error, message):
    with pytest.raises(error, match=message):
        backend.embedding_backward(*args)


def test_ids_out_of_range_never_reach_the_kernel(backend):
    """An id past the table, far enough to land in unmapped memory, is refused."""
    ids = np.array([[0], [10**12]])
    with pytest.raises(ValueError, match="ids must lie in"):
        backend.embedding_backward(np.ones((2, 3)), ids, 10)
