"""Differential fuzzing: every kernel of every backend against the "numpy" reference.

Read in this order: arrays.py and geometry.py (the awkward inputs), case.py
(one case from one seed), cases_dense.py and cases_conv.py (a builder per
kernel), spoil.py (bad arguments), compare.py (results, in-place updates
and errors), known_defects.py (the only skips), runner.py (one process),
__main__.py (the long profile in worker processes). test_fuzz_quick.py is the
quick profile of the default test run.
"""
