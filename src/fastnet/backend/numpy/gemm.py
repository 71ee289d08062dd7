"""The reference gemm: C := act(op(A)·op(B) + bias), in NumPy (see __init__.py)."""

from .elementwise import activation_forward


def gemm(a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
    """C := act(op(A)·op(B) + bias), op(X) = X.T when trans_x.

    a: (M, K) or (K, M) when trans_a; b: (K, N) or (N, K) when trans_b;
    bias: (N,) or None. Returns a new (M, N) array.
    All of one dtype, or a float32 with b and bias float64 (the book's
    images against its weights): then C is float64, NumPy's promotion.
    """
    a = a.T if trans_a else a
    b = b.T if trans_b else b
    c = a @ b
    if bias is not None:
        c += bias
    return activation_forward(c, activation)
