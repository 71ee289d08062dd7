"""The embedding's gradient (C kernel in csrc/embedding/).

Called by fastnet.backend.cython.embedding with arrays the Backend has
validated: dout float32/float64 (N, D), ids int64 (N, S) each in [0, rows);
the output is allocated there. The function reads the arrays through the
buffer protocol and runs its kernel without the GIL; the C entry point
picks the float32 or float64 loop.
"""

from cpython.buffer cimport Py_buffer
from libc.stdint cimport int64_t

from ._buffers cimport Buffers, dtype_of, row_stride
from ._c_embedding cimport fn_embedding_backward


def embedding_backward(dout, ids, grad):
    """grad := dout's rows added at their ids; grad a new C-order (rows, D) array."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vd = b.read_rows(dout)
    cdef Py_buffer *vi = b.read_flat(ids)
    cdef Py_buffer *vg = b.write(grad)
    with nogil:
        fn_embedding_backward(dtype_of(vd), vi.shape[0], vi.shape[1], vg.shape[0], vg.shape[1],
                              vd.buf, row_stride(vd), <const int64_t *>vi.buf, vg.buf)
