"""Buffers: the Py_buffer views of one kernel call, released together (see _buffers.pxd)."""

cimport cython
from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer

import numpy as np


# Every kernel call makes one: a free list makes that a pointer pop, not an allocation.
@cython.final
@cython.freelist(8)
cdef class Buffers:
    """Views of the arrays of one kernel call; freeing this object releases them."""

    def __cinit__(self):
        self.count = 0

    def __dealloc__(self):
        for i in range(self.count):
            PyBuffer_Release(&self.views[i])

    cdef Py_buffer *_get(self, object arr, int flags) except NULL:
        if self.count == MAX_VIEWS:
            raise ValueError(f"a kernel call reads at most {MAX_VIEWS} arrays")
        PyObject_GetBuffer(arr, &self.views[self.count], flags)
        self.count += 1
        return &self.views[self.count - 1]

    cdef Py_buffer *read(self, object arr) except NULL:
        """arr as it is, to be read."""
        return self._get(arr, PyBUF_STRIDES)

    cdef Py_buffer *write(self, object arr) except NULL:
        """arr as it is, to be written (a read-only array raises BufferError)."""
        return self._get(arr, PyBUF_STRIDES | PyBUF_WRITABLE)

    cdef Py_buffer *_read_copy_unless(self, object arr, Layout layout) except NULL:
        cdef Py_buffer *v = self.read(arr)
        if has_layout(v, layout):
            return v
        # the view keeps the copy alive until it is released
        self.count -= 1
        PyBuffer_Release(v)
        return self.read(np.array(arr, order="C", copy=True))

    cdef Py_buffer *read_flat(self, object arr) except NULL:
        """arr with every element adjacent: as it is, or a C-ordered copy."""
        return self._read_copy_unless(arr, FLAT)

    cdef Py_buffer *read_rows(self, object arr) except NULL:
        """arr with contiguous rows any stride apart: as it is, or a C-ordered copy."""
        return self._read_copy_unless(arr, ROWS)

    cdef Py_buffer *read_aligned(self, object arr) except NULL:
        """arr with its strides as they are when they are whole elements, else a
        C-ordered copy."""
        return self._read_copy_unless(arr, ALIGNED)

    cdef bint contiguous(self) noexcept:
        """True when every view is C-contiguous."""
        for i in range(self.count):
            if not c_contiguous(&self.views[i]):
                return False
        return True
