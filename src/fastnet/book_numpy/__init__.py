"""The book's `common` / `dataset` in plain NumPy, the baseline of the benchmarks (README.md)."""
