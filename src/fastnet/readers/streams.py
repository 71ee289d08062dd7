"""Reading a stream into an array, at most a given number of bytes.

`f.read(n)` of a decompressing stream builds the whole result as one bytes
object, and turning that into a writable array copies it again; the data
files fastnet reads can be hundreds of megabytes. This reads in chunks into
the array that is returned, so the peak is the array plus one chunk.
"""

import numpy as np

__all__ = ["DEFLATE_MAX_RATIO", "read_up_to"]

_CHUNK = 1 << 20
# Deflate (gzip, zip) emits at least 2 bits per 258-byte match, so no stream
# inflates more than this: a header declaring more than the compressed file
# times this is a lie, caught before anything is allocated.
DEFLATE_MAX_RATIO = 1032


def read_up_to(f, nbytes):
    """A writable uint8 array of the next `nbytes` bytes of `f` (shorter at end of stream).

    The caller has bounded `nbytes`: it is allocated up front.
    """
    out = np.empty(nbytes, dtype=np.uint8)
    filled = 0
    while filled < nbytes:
        chunk = f.read(min(_CHUNK, nbytes - filled))
        if not chunk:
            break
        out[filled:filled + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        filled += len(chunk)
    return out[:filled]
