# The embedding gradient's entry point (csrc/embedding/embedding.h).

from libc.stdint cimport int64_t

from ._c_vocabulary cimport fn_dtype


cdef extern from "embedding/embedding.h" nogil:
    void fn_embedding_backward(fn_dtype dtype, size_t n, size_t steps, size_t rows, size_t d,
                               const void *dout, Py_ssize_t dout_stride, const int64_t *ids,
                               void *grad)
