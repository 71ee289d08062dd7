"""Broadcasting add, column sums and activations (C kernels in csrc/).

Called by fastnet.backend.compiled_elementwise with arrays the Backend has
validated: float32/float64, one dtype, matching shapes. Each function reads
the arrays' memory through the buffer protocol (cheaper than typed
memoryviews: no format parsing), picks the float32 or float64 kernel from
the item size and runs it without the GIL.
"""

from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer

import numpy as np

from ._c_simd cimport fn_simd_level
from ._c_vocabulary cimport (
    FN_ACTIVATION_COUNT,
    FN_SIMD_COUNT,
    fn_activation_names,
    fn_simd_names,
)

cdef extern from "elementwise/elementwise.h" nogil:
    int FN_MAX_DIMS
    void fn_add_f32(int ndim, const Py_ssize_t *shape, const float *a, const Py_ssize_t *a_strides,
                    const float *b, const Py_ssize_t *b_strides, float *c)
    void fn_add_f64(int ndim, const Py_ssize_t *shape, const double *a, const Py_ssize_t *a_strides,
                    const double *b, const Py_ssize_t *b_strides, double *c)
    void fn_column_sum_f32(size_t n, size_t m, const float *x, Py_ssize_t row_stride, float *s)
    void fn_column_sum_f64(size_t n, size_t m, const double *x, Py_ssize_t row_stride, double *s)
    void fn_act_forward_f32(int act, const float *x, float *y, size_t n)
    void fn_act_forward_f64(int act, const double *x, double *y, size_t n)
    void fn_act_backward_f32(int act, const float *dout, const float *y, float *dx, size_t n)
    void fn_act_backward_f64(int act, const double *dout, const double *y, double *dx, size_t n)

# The C vocabulary's names, in code order: a test checks they are Python's.
ACTIVATIONS = tuple(fn_activation_names[code].decode() for code in range(<int>FN_ACTIVATION_COUNT))
SIMD_LEVELS = tuple(fn_simd_names[level].decode() for level in range(<int>FN_SIMD_COUNT))
ACTIVATION_CODES = {name: code for code, name in enumerate(ACTIVATIONS)}


cdef bint _aligned(Py_buffer *v) noexcept:
    """Element-aligned data and strides: what the C loops assume."""
    if <size_t>v.buf % <size_t>v.itemsize:
        return False
    for k in range(v.ndim):
        if v.strides[k] % v.itemsize:
            return False
    return True


cdef bint _c_contiguous(Py_buffer *v) noexcept:
    cdef Py_ssize_t expect = v.itemsize
    if v.len == 0:
        return True
    for k in range(v.ndim - 1, -1, -1):
        if v.shape[k] != 1 and v.strides[k] != expect:
            return False
        expect *= v.shape[k]
    return <size_t>v.buf % <size_t>v.itemsize == 0


cdef object _c_view(object arr, Py_buffer *v):
    """Acquire arr's buffer, C-contiguous: a (rare) strided input is copied first."""
    PyObject_GetBuffer(arr, v, PyBUF_STRIDES)
    if _c_contiguous(v):
        return arr
    PyBuffer_Release(v)
    arr = np.array(arr, order="C", copy=True)
    PyObject_GetBuffer(arr, v, PyBUF_STRIDES)
    return arr


cdef object _strided_view(object arr, Py_buffer *v):
    """Acquire arr's buffer as it is; copy only if its strides are not whole elements."""
    PyObject_GetBuffer(arr, v, PyBUF_STRIDES)
    if _aligned(v):
        return arr
    PyBuffer_Release(v)
    arr = np.array(arr, order="C", copy=True)
    PyObject_GetBuffer(arr, v, PyBUF_STRIDES)
    return arr


cdef int _add(Py_buffer *va, Py_buffer *vb, Py_buffer *vc) except -1:
    """c := a + b; vc is the (contiguous) broadcast result."""
    cdef Py_ssize_t sa[64]
    cdef Py_ssize_t sb[64]
    cdef int ndim = vc.ndim, k, ka, kb
    for k in range(ndim):
        # align trailing dims, NumPy style; a missing or size-1 dim broadcasts (stride 0)
        ka = k - (ndim - va.ndim)
        kb = k - (ndim - vb.ndim)
        sa[k] = va.strides[ka] if ka >= 0 and va.shape[ka] != 1 else 0
        sb[k] = vb.strides[kb] if kb >= 0 and vb.shape[kb] != 1 else 0
    if va.itemsize == 4:
        with nogil:
            fn_add_f32(ndim, vc.shape, <float *>va.buf, sa, <float *>vb.buf, sb, <float *>vc.buf)
    else:
        with nogil:
            fn_add_f64(ndim, vc.shape, <double *>va.buf, sa, <double *>vb.buf, sb, <double *>vc.buf)
    return 0


def add(a, b):
    """C := A + B with NumPy broadcasting; returns a new C-contiguous array."""
    cdef Py_buffer va, vb, vc
    cdef Py_ssize_t da, db
    cdef int ndim, k
    a = _strided_view(a, &va)
    try:
        b = _strided_view(b, &vb)
        try:
            ndim = max(va.ndim, vb.ndim)
            shape = []
            for k in range(ndim):
                da = va.shape[k - ndim + va.ndim] if k - ndim + va.ndim >= 0 else 1
                db = vb.shape[k - ndim + vb.ndim] if k - ndim + vb.ndim >= 0 else 1
                shape.append(db if da == 1 else da)
            out = np.empty(shape, dtype=a.dtype)
            PyObject_GetBuffer(out, &vc, PyBUF_STRIDES | PyBUF_WRITABLE)
            try:
                _add(&va, &vb, &vc)
            finally:
                PyBuffer_Release(&vc)
        finally:
            PyBuffer_Release(&vb)
    finally:
        PyBuffer_Release(&va)
    return out


def add_into(a, b, out):
    """out := A + B, out a new C-contiguous array of the broadcast shape."""
    cdef Py_buffer va, vb, vc
    a = _strided_view(a, &va)
    try:
        b = _strided_view(b, &vb)
        try:
            PyObject_GetBuffer(out, &vc, PyBUF_STRIDES | PyBUF_WRITABLE)
            try:
                _add(&va, &vb, &vc)
            finally:
                PyBuffer_Release(&vc)
        finally:
            PyBuffer_Release(&vb)
    finally:
        PyBuffer_Release(&va)


def column_sum(x, out):
    """out := Σ_i X[i, :] for a 2-D x; out a new (M,) array."""
    cdef Py_buffer vx, vs
    PyObject_GetBuffer(x, &vx, PyBUF_STRIDES)
    if vx.shape[0] * vx.shape[1] and (vx.strides[1] != vx.itemsize or not _aligned(&vx)):
        # rows must be contiguous; a transposed or strided x is copied once
        PyBuffer_Release(&vx)
        x = np.array(x, order="C", copy=True)
        PyObject_GetBuffer(x, &vx, PyBUF_STRIDES)
    cdef size_t n = vx.shape[0], m = vx.shape[1]
    cdef Py_ssize_t rs = vx.strides[0] // vx.itemsize
    try:
        PyObject_GetBuffer(out, &vs, PyBUF_STRIDES | PyBUF_WRITABLE)
        if vx.itemsize == 4:
            with nogil:
                fn_column_sum_f32(n, m, <float *>vx.buf, rs, <float *>vs.buf)
        else:
            with nogil:
                fn_column_sum_f64(n, m, <double *>vx.buf, rs, <double *>vs.buf)
        PyBuffer_Release(&vs)
    finally:
        PyBuffer_Release(&vx)


def activation_forward(x, y, int act):
    """y := act(x); y a new C-contiguous array shaped like x; act a code of ACTIVATION_CODES."""
    cdef Py_buffer vx, vy
    x = _c_view(x, &vx)
    cdef size_t n = vx.len // vx.itemsize
    try:
        PyObject_GetBuffer(y, &vy, PyBUF_STRIDES | PyBUF_WRITABLE)
        if vx.itemsize == 4:
            with nogil:
                fn_act_forward_f32(act, <float *>vx.buf, <float *>vy.buf, n)
        else:
            with nogil:
                fn_act_forward_f64(act, <double *>vx.buf, <double *>vy.buf, n)
        PyBuffer_Release(&vy)
    finally:
        PyBuffer_Release(&vx)


def activation_backward(dout, y, dx, int act):
    """dx := dout·act'(x) from y = act(x); dx a new C-contiguous array."""
    cdef Py_buffer vd, vy, vdx
    dout = _c_view(dout, &vd)
    cdef size_t n = vd.len // vd.itemsize
    try:
        y = _c_view(y, &vy)
        try:
            PyObject_GetBuffer(dx, &vdx, PyBUF_STRIDES | PyBUF_WRITABLE)
            if vd.itemsize == 4:
                with nogil:
                    fn_act_backward_f32(act, <float *>vd.buf, <float *>vy.buf, <float *>vdx.buf, n)
            else:
                with nogil:
                    fn_act_backward_f64(act, <double *>vd.buf, <double *>vy.buf, <double *>vdx.buf, n)
            PyBuffer_Release(&vdx)
        finally:
            PyBuffer_Release(&vy)
    finally:
        PyBuffer_Release(&vd)


def simd():
    """Which build of the activation, softmax and convolution loops runs here (one
    of SIMD_LEVELS): the CPU's widest, capped by FASTNET_SIMD."""
    return SIMD_LEVELS[fn_simd_level()]
