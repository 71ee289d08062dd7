"""GEMM for the "cython" backend (placeholder: still the reference)."""
from .reference import gemm  # noqa: F401
