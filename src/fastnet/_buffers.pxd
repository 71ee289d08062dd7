# The one way the .pyx wrappers read arrays: a Buffers object owns the
# Py_buffer views of one kernel call and releases them all when it is freed,
# however the call ends. The helpers below read a view's layout.

cimport cython
from cpython.buffer cimport Py_buffer

from ._c_vocabulary cimport FN_F32, FN_F64, fn_dtype

# The most arrays one kernel call reads or writes.
cdef enum:
    MAX_VIEWS = 10

# The layouts a kernel can read (Buffers.read_flat, read_rows, read_aligned).
cdef enum Layout:
    FLAT
    ROWS
    ALIGNED


@cython.final
cdef class Buffers:
    cdef Py_buffer views[MAX_VIEWS]
    cdef int count
    cdef Py_buffer *_get(self, object arr, int flags) except NULL
    cdef Py_buffer *_read_copy_unless(self, object arr, Layout layout) except NULL
    cdef Py_buffer *read(self, object arr) except NULL
    cdef Py_buffer *write(self, object arr) except NULL
    cdef Py_buffer *read_flat(self, object arr) except NULL
    cdef Py_buffer *read_rows(self, object arr) except NULL
    cdef Py_buffer *read_aligned(self, object arr) except NULL
    cdef bint contiguous(self) noexcept


cdef inline bint c_contiguous(Py_buffer *v) noexcept:
    """All elements adjacent, in C order, and element-aligned."""
    cdef Py_ssize_t expect = v.itemsize
    if v.len == 0:
        return True
    if <size_t>v.buf % <size_t>v.itemsize:
        return False
    for k in range(v.ndim - 1, -1, -1):
        if v.shape[k] != 1 and v.strides[k] != expect:
            return False
        expect *= v.shape[k]
    return True


cdef inline bint rows_contiguous(Py_buffer *v) noexcept:
    """A 2-D array whose rows are each contiguous and element-aligned (rows may be
    any whole number of elements apart), or any C-contiguous array."""
    if v.ndim != 2 or v.len == 0:
        return c_contiguous(v)
    if <size_t>v.buf % <size_t>v.itemsize:
        return False
    return (v.shape[1] == 1 or v.strides[1] == v.itemsize) and v.strides[0] % v.itemsize == 0


cdef inline bint aligned(Py_buffer *v) noexcept:
    """Data and every stride whole elements (any order, any sign): what a strided
    C loop assumes."""
    if <size_t>v.buf % <size_t>v.itemsize:
        return False
    for k in range(v.ndim):
        if v.strides[k] % v.itemsize:
            return False
    return True


cdef inline bint has_layout(Py_buffer *v, Layout layout) noexcept:
    if layout == FLAT:
        return c_contiguous(v)
    if layout == ROWS:
        return rows_contiguous(v)
    return aligned(v)


cdef inline Py_ssize_t row_stride(Py_buffer *v) noexcept nogil:
    """Elements from one row to the next of a 2-D view (0 for other views)."""
    return v.strides[0] // v.itemsize if v.ndim == 2 else 0


cdef inline size_t elements(Py_buffer *v) noexcept nogil:
    return v.len // v.itemsize


cdef inline fn_dtype dtype_of(Py_buffer *v) noexcept nogil:
    """The C vocabulary's name of a float32 or float64 view's element type."""
    return FN_F64 if v.itemsize == 8 else FN_F32
