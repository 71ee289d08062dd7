"""KNOWN_DEFECTS: the one place where the fuzz skips cases, each row a filed defect.

Each row names the defect (an item of issue 10, or a defect this fuzz found
that the issue does not list) and says which cases hit it. Cases that match
a row are not run (a memory error could corrupt the process) but counted,
and `python -m fuzz --include-known` runs them anyway. When a fix lands,
delete its row: the fuzz then checks the fix on every case the row skipped.
"""

from collections import namedtuple

# applies(case) -> bool; compiled_only: the GPU glue's cases still run.
KnownDefect = namedtuple("KnownDefect", "summary applies compiled_only", defaults=(True,))


# Empty: every defect this fuzz found is fixed (issue 10), each with its regression
# test; a new one gets a row here until its fix lands.
KNOWN_DEFECTS = {}


# Tests of the default suite that a sanitized build stops (.ci/run deselects
# them there, and only there): pytest node id -> the defect. Empty: none today.
SANITIZER_STOPS = {}


def known_defect(backend, case):
    """The id of the first known defect case hits, or None."""
    for defect_id, row in KNOWN_DEFECTS.items():
        if (backend == "cython" or not row.compiled_only) and row.applies(case):
            return defect_id
    return None
