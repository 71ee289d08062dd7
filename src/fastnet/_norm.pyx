"""Batch normalization (C kernels in csrc/norm/).

Called by fastnet.backend.cython.norm with arrays the Backend has validated
(float32/float64 of one dtype, C order, x of shape (n, d) with n >= 1); the
outputs are allocated there. Each function reads the arrays through the
buffer protocol and runs its kernel without the GIL; the C entry point picks
the float32 or float64 loop.
"""

from cpython.buffer cimport Py_buffer

from ._buffers cimport Buffers, dtype_of
from ._c_norm cimport fn_batchnorm_backward, fn_batchnorm_forward_infer, fn_batchnorm_forward_train


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, double momentum,
                            out, xn, std):
    """out, xn, std := batch norm of the C-order (n, d) x; running stats in place."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read(x)
    cdef Py_buffer *vg = b.read(gamma)
    cdef Py_buffer *vb = b.read(beta)
    cdef Py_buffer *vm = b.write(running_mean)
    cdef Py_buffer *vv = b.write(running_var)
    cdef Py_buffer *vo = b.write(out)
    cdef Py_buffer *vn = b.write(xn)
    cdef Py_buffer *vs = b.write(std)
    with nogil:
        fn_batchnorm_forward_train(dtype_of(vx), vx.shape[0], vx.shape[1], vx.buf, vg.buf,
                                   vb.buf, vm.buf, vv.buf, momentum, vo.buf, vn.buf, vs.buf)


def batchnorm_forward_infer(x, gamma, beta, running_mean, running_var, out):
    """out := batch norm of the C-order (n, d) x with the running statistics."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read(x)
    cdef Py_buffer *vg = b.read(gamma)
    cdef Py_buffer *vb = b.read(beta)
    cdef Py_buffer *vm = b.read(running_mean)
    cdef Py_buffer *vv = b.read(running_var)
    cdef Py_buffer *vo = b.write(out)
    with nogil:
        fn_batchnorm_forward_infer(dtype_of(vx), vx.shape[0], vx.shape[1], vx.buf, vg.buf,
                                   vb.buf, vm.buf, vv.buf, vo.buf)


def batchnorm_backward(dout, xn, std, gamma, dx, dgamma, dbeta):
    """dx, dgamma, dbeta := batch norm's gradients, every array C-order."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vd = b.read(dout)
    cdef Py_buffer *vn = b.read(xn)
    cdef Py_buffer *vs = b.read(std)
    cdef Py_buffer *vg = b.read(gamma)
    cdef Py_buffer *vdx = b.write(dx)
    cdef Py_buffer *vdg = b.write(dgamma)
    cdef Py_buffer *vdb = b.write(dbeta)
    with nogil:
        fn_batchnorm_backward(dtype_of(vd), vd.shape[0], vd.shape[1], vd.buf, vn.buf, vs.buf,
                              vg.buf, vdx.buf, vdg.buf, vdb.buf)
