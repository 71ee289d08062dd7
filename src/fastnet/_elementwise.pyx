"""Broadcasting add, column sums, activations and dropout's mask multiply (C kernels in csrc/elementwise/).

Called by fastnet.backend.cython.elementwise with arrays the Backend has
validated: float32/float64, one dtype, matching shapes. Each function reads
the arrays' memory through the buffer protocol (cheaper than typed
memoryviews: no format parsing) and runs its kernel without the GIL; the C
entry point picks the float32 or float64 loop.
"""

from cpython.buffer cimport Py_buffer

import numpy as np

from ._buffers cimport Buffers, dtype_of, elements, row_stride
from libc.stdint cimport uint8_t

from ._c_elementwise cimport (
    fn_act_backward,
    fn_act_forward,
    fn_add,
    fn_column_sum,
    fn_mask_multiply,
)
from ._c_simd cimport fn_simd_level
from ._c_vocabulary cimport (
    FN_ACTIVATION_COUNT,
    FN_SIMD_COUNT,
    fn_activation_names,
    fn_simd_names,
)

# The C vocabulary's names, in code order: a test checks they are Python's.
ACTIVATIONS = tuple(fn_activation_names[code].decode() for code in range(<int>FN_ACTIVATION_COUNT))
SIMD_LEVELS = tuple(fn_simd_names[level].decode() for level in range(<int>FN_SIMD_COUNT))
ACTIVATION_CODES = {name: code for code, name in enumerate(ACTIVATIONS)}


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
    with nogil:
        fn_add(dtype_of(va), ndim, vc.shape, va.buf, sa, vb.buf, sb, vc.buf)
    return 0


def add(a, b):
    """C := A + B with NumPy broadcasting; returns a new C-contiguous array."""
    cdef Buffers bufs = Buffers()
    cdef Py_buffer *va = bufs.read_aligned(a)
    cdef Py_buffer *vb = bufs.read_aligned(b)
    cdef Py_ssize_t da, db
    cdef int ndim = max(va.ndim, vb.ndim), k
    shape = []
    for k in range(ndim):
        da = va.shape[k - ndim + va.ndim] if k - ndim + va.ndim >= 0 else 1
        db = vb.shape[k - ndim + vb.ndim] if k - ndim + vb.ndim >= 0 else 1
        shape.append(db if da == 1 else da)
    out = np.empty(shape, dtype=a.dtype)
    _add(va, vb, bufs.write(out))
    return out


def add_into(a, b, out):
    """out := A + B, out a new C-contiguous array of the broadcast shape."""
    cdef Buffers bufs = Buffers()
    cdef Py_buffer *va = bufs.read_aligned(a)
    cdef Py_buffer *vb = bufs.read_aligned(b)
    _add(va, vb, bufs.write(out))


def column_sum(x, out):
    """out := Σ_i X[i, :] for a 2-D x; out a new (M,) array."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read_rows(x)
    cdef Py_buffer *vs = b.write(out)
    with nogil:
        fn_column_sum(dtype_of(vx), vx.shape[0], vx.shape[1], vx.buf, row_stride(vx), vs.buf)


def activation_forward(x, y, int act):
    """y := act(x); y a new C-contiguous array shaped like x; act a code of ACTIVATION_CODES."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read_flat(x)
    cdef Py_buffer *vy = b.write(y)
    with nogil:
        fn_act_forward(dtype_of(vx), act, vx.buf, vy.buf, elements(vx))


def activation_backward(dout, y, dx, int act):
    """dx := dout·act'(x) from y = act(x); dx a new C-contiguous array."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vd = b.read_flat(dout)
    cdef Py_buffer *vy = b.read_flat(y)
    cdef Py_buffer *vdx = b.write(dx)
    with nogil:
        fn_act_backward(dtype_of(vd), act, vd.buf, vy.buf, vdx.buf, elements(vd))


def mask_multiply(x, mask, y):
    """y := x·mask, x, mask (bool) and y C-order of one size."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read_flat(x)
    cdef Py_buffer *vm = b.read_flat(mask)
    cdef Py_buffer *vy = b.write(y)
    with nogil:
        fn_mask_multiply(dtype_of(vx), elements(vx), vx.buf, <const uint8_t *>vm.buf, vy.buf)


def simd():
    """Which build of the activation, softmax and convolution loops runs here (one
    of SIMD_LEVELS): the CPU's widest, capped by FASTNET_SIMD."""
    return SIMD_LEVELS[fn_simd_level()]
