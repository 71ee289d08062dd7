"""im2col / col2im, max pooling and the fused convolutions (C kernels in csrc/conv/).

Called by fastnet.backend.cython (conv, conv_pool) with arrays the Backend
has validated; the outputs are allocated there. Images are passed with their
strides (in elements), so transposed views are read and written in place;
the other arrays must be C-contiguous (the cython backend makes sure of it).
Each kernel runs without the GIL; its C entry point picks the float32 or
float64 body.
"""

from cpython.buffer cimport Py_buffer
from libc.stdint cimport int32_t

from ._buffers cimport Buffers, dtype_of
from ._c_conv cimport (
    fn_col2im,
    fn_conv_activation_grad,
    fn_conv_backward,
    fn_conv_forward,
    fn_conv_pool_backward,
    fn_conv_pool_forward,
    fn_im2col,
    fn_max_pool_backward,
    fn_max_pool_forward,
    fn_window,
)


cdef void _element_strides(Py_buffer *v, Py_ssize_t *out) noexcept:
    for k in range(4):
        out[k] = v.strides[k] // v.itemsize


cdef Py_ssize_t _row_stride(Py_buffer *v) noexcept:
    """The element stride between rows (n, oh, ow) of a (n, f, oh, ow) buffer whose rows
    are one stride apart. Read from an axis longer than 1: NumPy exports any stride
    for an axis of length 1 (canonical ones for a C-contiguous array)."""
    if v.shape[3] > 1:
        return v.strides[3] // v.itemsize
    if v.shape[2] > 1:
        return v.strides[2] // v.itemsize
    return v.strides[0] // v.itemsize


cdef void _rows_strides(Py_buffer *v, Py_ssize_t *out) noexcept:
    """Element strides of a (n, f, oh, ow) buffer read as rows (n, oh, ow): the last
    one is the stride between rows (with OW = 1 that is OH's, see _row_stride)."""
    _element_strides(v, out)
    out[3] = _row_stride(v)


cdef fn_window _window(tuple shape, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride,
                       Py_ssize_t pad, Py_ssize_t oh, Py_ssize_t ow):
    cdef fn_window g
    g.n, g.c, g.h, g.w = shape
    g.fh, g.fw, g.stride, g.pad, g.oh, g.ow = fh, fw, stride, pad, oh, ow
    return g


cdef fn_window _pool_window(Py_ssize_t n, Py_ssize_t filters, Py_ssize_t oh, Py_ssize_t ow,
                            tuple pool, tuple pooled_shape):
    """The pooling window over a convolution's (n, filters, oh, ow) output."""
    ph, pw, stride, pad = pool
    return _window((n, filters, oh, ow), ph, pw, stride, pad, pooled_shape[1], pooled_shape[2])


cdef inline void *_data_or_null(Py_buffer *v) noexcept:
    return v.buf if v != NULL else NULL


cdef struct Backward:
    # The arrays of a convolution's backward pass, open for C, with their element
    # strides (dout's and y's last stride: the one between rows, see _rows_strides).
    Py_buffer *dout
    Py_buffer *y
    Py_buffer *x
    Py_buffer *w
    Py_buffer *dw
    Py_buffer *db
    void *dx
    const void *w_flip
    Py_ssize_t xs[4]
    Py_ssize_t os[4]
    Py_ssize_t ys[4]
    Py_ssize_t ds[4]


cdef int _open_backward(Buffers b, Backward *k, dout, y, x, w, w_flip, dw, db, dx) except -1:
    """Fill k; dx and w_flip may be None (NULL for C)."""
    k.dout, k.y, k.x, k.w = b.read(dout), b.read(y), b.read(x), b.read(w)
    k.dw, k.db = b.write(dw), b.write(db)
    cdef Py_buffer *vdx = b.write(dx) if dx is not None else NULL
    k.dx = _data_or_null(vdx)
    k.w_flip = _data_or_null(b.read(w_flip) if w_flip is not None else NULL)
    _element_strides(k.x, k.xs)
    _rows_strides(k.dout, k.os)
    _rows_strides(k.y, k.ys)
    if vdx != NULL:
        _element_strides(vdx, k.ds)
    return 0


def im2col(x, col, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad,
           Py_ssize_t oh, Py_ssize_t ow, bint channels_last=False):
    """col := the patches of x (any element strides); col a new C-order array, columns
    (c, i, j), or (i, j, c) when channels_last (x's channels adjacent)."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read(x)
    cdef Py_buffer *vc = b.write(col)
    cdef Py_ssize_t xs[4]
    _element_strides(vx, xs)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, oh, ow)
    with nogil:
        fn_im2col(dtype_of(vx), &g, vx.buf, xs, channels_last, vc.buf)


def col2im(col, dx, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad,
           Py_ssize_t oh, Py_ssize_t ow, bint channels_last=False):
    """dx := the patches of col (C order; (i, j, c) columns when channels_last, dx's
    channels then adjacent) put back; dx any contents, any element strides."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vc = b.read(col)
    cdef Py_buffer *vd = b.write(dx)
    cdef Py_ssize_t ds[4]
    _element_strides(vd, ds)
    cdef fn_window g = _window(dx.shape, fh, fw, stride, pad, oh, ow)
    with nogil:
        fn_col2im(dtype_of(vc), &g, vc.buf, vd.buf, ds, channels_last)


def max_pool_forward(x, out, arg_max, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t stride,
                     Py_ssize_t pad):
    """out, arg_max := the max of each window of x and its first position; out and
    arg_max both C order, or all three arrays channels-last (strides[1] one element)."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read(x)
    cdef Py_buffer *vo = b.write(out)
    cdef Py_buffer *va = b.write(arg_max)
    cdef Py_ssize_t xs[4]
    cdef Py_ssize_t os[4]
    cdef Py_ssize_t as_[4]
    _element_strides(vx, xs)
    _element_strides(vo, os)
    _element_strides(va, as_)
    cdef fn_window g = _window(x.shape, ph, pw, stride, pad, out.shape[2], out.shape[3])
    with nogil:
        fn_max_pool_forward(dtype_of(vx), &g, vx.buf, xs, vo.buf, os, <int32_t *>va.buf, as_)


def max_pool_backward(dout, arg_max, dx, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t stride,
                      Py_ssize_t pad):
    """dx := dout routed to each window's arg_max, zeros elsewhere (all of dx is written);
    every array any element strides."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vo = b.read(dout)
    cdef Py_buffer *va = b.read(arg_max)
    cdef Py_buffer *vd = b.write(dx)
    cdef Py_ssize_t os[4]
    cdef Py_ssize_t as_[4]
    cdef Py_ssize_t ds[4]
    _element_strides(vo, os)
    _element_strides(va, as_)
    _element_strides(vd, ds)
    cdef fn_window g = _window(dx.shape, ph, pw, stride, pad, dout.shape[2], dout.shape[3])
    with nogil:
        fn_max_pool_backward(dtype_of(vo), &g, vo.buf, os, <const int32_t *>va.buf, as_, vd.buf,
                             ds)


def conv_forward(x, bint channels_last, w, bias, int activation, int kernel, out,
                 Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad):
    """out := act(x ⊛ W + b) as (n·oh·ow, filters) rows; w (filters, c·fh·fw) and bias
    C-order, w's columns in (i, j, c) order when channels_last, else (c, i, j); out a
    new C-order (n, oh, ow, filters) array. False if memory ran out."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read(x)
    cdef Py_buffer *vw = b.read(w)
    cdef Py_buffer *vb = b.read(bias)
    cdef Py_buffer *vo = b.write(out)
    cdef Py_ssize_t xs[4]
    _element_strides(vx, xs)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, out.shape[1], out.shape[2])
    cdef Py_ssize_t filters = w.shape[0]
    cdef int status
    with nogil:
        status = fn_conv_forward(dtype_of(vx), &g, vx.buf, xs, channels_last, vw.buf, filters,
                                 vb.buf, activation, kernel, vo.buf)
    return status == 0


def conv_backward(dout, y, int activation, x, bint channels_last, w, w_flip, int kernel, dw, db,
                  dx, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad):
    """dw, db := the filter and bias gradients; dx (zeroed, any strides) += the input
    gradient unless dx is None. dout: the gradient of y = act(out); y is read unless
    activation is 0 (identity); both (n, filters, oh, ow) with strides[2] ==
    ow·strides[3]. w_flip: None, or the flipped filters that let dx be computed as a
    convolution (see csrc/conv/conv.h for when). False if memory ran out."""
    cdef Buffers b = Buffers()
    cdef Backward k
    _open_backward(b, &k, dout, y, x, w, w_flip, dw, db, dx)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, dout.shape[2], dout.shape[3])
    cdef Py_ssize_t filters = w.shape[0]
    cdef int status
    with nogil:
        status = fn_conv_backward(dtype_of(k.x), &g, k.x.buf, k.xs, channels_last, k.w.buf,
                                  filters, k.dout.buf, k.os, k.y.buf, k.ys, activation, kernel,
                                  k.dw.buf, k.db.buf, k.dx, k.ds, k.w_flip)
    return status == 0


def conv_pool_forward(x, bint channels_last, w, bias, int activation, int kernel, out, arg_max,
                      Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad,
                      Py_ssize_t oh, Py_ssize_t ow, tuple pool):
    """out, arg_max := maxpool(act(x ⊛ W + b)) and the winners' positions, both new
    C-order (n, pooled oh, pooled ow, filters) arrays; the convolution is oh x ow, pool
    is (pool_h, pool_w, stride, pad); w and bias as conv_forward's. False if memory ran out."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read(x)
    cdef Py_buffer *vw = b.read(w)
    cdef Py_buffer *vb = b.read(bias)
    cdef Py_buffer *vo = b.write(out)
    cdef Py_buffer *va = b.write(arg_max)
    cdef Py_ssize_t xs[4]
    _element_strides(vx, xs)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, oh, ow)
    cdef Py_ssize_t filters = w.shape[0]
    cdef fn_window p = _pool_window(g.n, filters, oh, ow, pool, out.shape)
    cdef int status
    with nogil:
        status = fn_conv_pool_forward(dtype_of(vx), &g, vx.buf, xs, channels_last, vw.buf,
                                      filters, vb.buf, activation, kernel, &p, vo.buf,
                                      <int32_t *>va.buf)
    return status == 0


def conv_pool_backward(dout, arg_max, out, int activation, x, bint channels_last, w, w_flip,
                       int kernel, dw, db, dx, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride,
                       Py_ssize_t pad, Py_ssize_t oh, Py_ssize_t ow, tuple pool):
    """dw, db := the filter and bias gradients of out = maxpool(act(x ⊛ W + b)); dx
    (zeroed, any strides) += the input gradient unless dx is None. dout, out, arg_max:
    (n, filters, pooled oh, pooled ow), any strides with (pooled oh, pooled ow) flattening
    to one stride in dout and out, arg_max's channels adjacent.
    False if memory ran out."""
    cdef Buffers b = Buffers()
    cdef Backward k
    _open_backward(b, &k, dout, out, x, w, w_flip, dw, db, dx)
    cdef Py_buffer *va = b.read(arg_max)
    cdef Py_ssize_t as_[4]
    _element_strides(va, as_)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, oh, ow)
    cdef Py_ssize_t filters = w.shape[0]
    cdef fn_window p = _pool_window(g.n, filters, oh, ow, pool,
                                    (dout.shape[0], dout.shape[2], dout.shape[3]))
    cdef int status
    with nogil:
        status = fn_conv_pool_backward(dtype_of(k.x), &g, k.x.buf, k.xs, channels_last, k.w.buf,
                                       filters, &p, k.dout.buf, k.os, k.y.buf, k.ys,
                                       <const int32_t *>va.buf, as_, activation, kernel,
                                       k.dw.buf, k.db.buf, k.dx, k.ds, k.w_flip)
    return status == 0


def activation_grad(dout, y, int activation, out):
    """out (n·oh·ow, filters) := dout ⊙ act'(y), dout and y (n, filters, oh, ow) whose
    (oh, ow) flatten to one stride and whose images are that many rows apart."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vd = b.read(dout)
    cdef Py_buffer *vy = b.read(y)
    cdef Py_buffer *vo = b.write(out)
    cdef Py_ssize_t m = out.shape[0], filters = out.shape[1]
    cdef Py_ssize_t ds[4]
    cdef Py_ssize_t ys[4]
    _rows_strides(vd, ds)
    _rows_strides(vy, ys)
    with nogil:
        fn_conv_activation_grad(dtype_of(vd), m, filters, vd.buf, ds[3], ds[1], vy.buf, ys[3],
                                ys[1], activation, vo.buf)
