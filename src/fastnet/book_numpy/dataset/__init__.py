"""Stand-in for the book's `dataset` package (benchmark baseline)."""
