"""Plain-NumPy stand-in for the book's `common` package (benchmark baseline)."""
