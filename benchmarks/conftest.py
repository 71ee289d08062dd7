"""Benchmarks live outside the default test run: `pytest benchmarks`."""
