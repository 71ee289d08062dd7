import numpy as np

NAIVE: int
REORDERED: int
BLOCKED: int

def have_avx2() -> bool: ...
def have_avx512() -> bool: ...
def fma_roof(is_f64: bool, kernel: int, steps: int) -> float: ...
def packed(
    a: np.ndarray,
    b: np.ndarray,
    bias: np.ndarray | None,
    activation: int,
    trans_a: bool,
    trans_b: bool,
    c: np.ndarray,
    kernel: int,
    is_f64: bool,
) -> bool: ...
def rung(which: int, a: np.ndarray, b: np.ndarray, c: np.ndarray, is_f64: bool) -> None: ...
def epilogue(
    c: np.ndarray, bias: np.ndarray | None, activation: int, kernel: int, is_f64: bool
) -> None: ...
