"""im2col / col2im, max pooling, batch norm and the dropout mask (C kernels in
csrc/conv/, csrc/norm/ and csrc/elementwise/mask.c).

Called by fastnet.backend.cython (conv, conv_pool, norm, elementwise) with arrays the Backend has
validated; the outputs are allocated there. Images are passed with their
strides (in elements), so transposed views are read and written in place;
the other arrays must be C-contiguous (the cython backend makes sure of it). Each
function picks the float32 or float64 kernel from the item size and runs it
without the GIL.
"""

from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport int32_t, uint8_t

cdef extern from "conv/conv.h" nogil:
    ctypedef struct fn_window:
        Py_ssize_t n, c, h, w, fh, fw, stride, pad, oh, ow
    void fn_im2col_f32(const fn_window *g, const float *x, const Py_ssize_t *xs,
                       int channels_last, float *col)
    void fn_im2col_f64(const fn_window *g, const double *x, const Py_ssize_t *xs,
                       int channels_last, double *col)
    void fn_col2im_f32(const fn_window *g, const float *col, float *dx, const Py_ssize_t *ds,
                       int channels_last)
    void fn_col2im_f64(const fn_window *g, const double *col, double *dx, const Py_ssize_t *ds,
                       int channels_last)
    void fn_max_pool_forward_f32(const fn_window *g, const float *x, const Py_ssize_t *xs,
                                 float *out, const Py_ssize_t *os, int32_t *arg_max,
                                 const Py_ssize_t *as_)
    void fn_max_pool_forward_f64(const fn_window *g, const double *x, const Py_ssize_t *xs,
                                 double *out, const Py_ssize_t *os, int32_t *arg_max,
                                 const Py_ssize_t *as_)
    void fn_max_pool_backward_f32(const fn_window *g, const float *dout, const Py_ssize_t *os,
                                  const int32_t *arg_max, const Py_ssize_t *as_, float *dx,
                                  const Py_ssize_t *ds)
    void fn_max_pool_backward_f64(const fn_window *g, const double *dout, const Py_ssize_t *os,
                                  const int32_t *arg_max, const Py_ssize_t *as_, double *dx,
                                  const Py_ssize_t *ds)
    int fn_conv_forward_f32(const fn_window *g, const float *x, const Py_ssize_t *xs,
                            int channels_last, const float *w, Py_ssize_t filters, const float *bias,
                            int activation, int kernel, float *out)
    int fn_conv_forward_f64(const fn_window *g, const double *x, const Py_ssize_t *xs,
                            int channels_last, const double *w, Py_ssize_t filters, const double *bias,
                            int activation, int kernel, double *out)
    int fn_conv_backward_f32(const fn_window *g, const float *x, const Py_ssize_t *xs,
                             int channels_last, const float *w, Py_ssize_t filters,
                             const float *dout, const Py_ssize_t *os, const float *y,
                             const Py_ssize_t *ys, int activation, int kernel, float *dw, float *db,
                             float *dx, const Py_ssize_t *ds, const float *w_flip)
    int fn_conv_backward_f64(const fn_window *g, const double *x, const Py_ssize_t *xs,
                             int channels_last, const double *w, Py_ssize_t filters,
                             const double *dout, const Py_ssize_t *os, const double *y,
                             const Py_ssize_t *ys, int activation, int kernel, double *dw, double *db,
                             double *dx, const Py_ssize_t *ds, const double *w_flip)
    int fn_conv_pool_forward_f32(const fn_window *g, const float *x, const Py_ssize_t *xs,
                                 int channels_last, const float *w, Py_ssize_t filters,
                                 const float *bias, int activation, int kernel,
                                 const fn_window *pool, float *out, int32_t *arg_max)
    int fn_conv_pool_forward_f64(const fn_window *g, const double *x, const Py_ssize_t *xs,
                                 int channels_last, const double *w, Py_ssize_t filters,
                                 const double *bias, int activation, int kernel,
                                 const fn_window *pool, double *out, int32_t *arg_max)
    int fn_conv_pool_backward_f32(const fn_window *g, const float *x, const Py_ssize_t *xs,
                                  int channels_last, const float *w, Py_ssize_t filters,
                                  const fn_window *pool, const float *dout, const Py_ssize_t *os,
                                  const float *out, const Py_ssize_t *ys,
                                  const int32_t *arg_max, const Py_ssize_t *as_,
                                  int activation, int kernel, float *dw, float *db, float *dx,
                                  const Py_ssize_t *ds, const float *w_flip)
    int fn_conv_pool_backward_f64(const fn_window *g, const double *x, const Py_ssize_t *xs,
                                  int channels_last, const double *w, Py_ssize_t filters,
                                  const fn_window *pool, const double *dout,
                                  const Py_ssize_t *os, const double *out,
                                  const Py_ssize_t *ys, const int32_t *arg_max,
                                  const Py_ssize_t *as_, int activation, int kernel, double *dw,
                                  double *db, double *dx, const Py_ssize_t *ds,
                                  const double *w_flip)
    void fn_conv_activation_grad_f32(Py_ssize_t m, Py_ssize_t filters, const float *d,
                                     Py_ssize_t drs, Py_ssize_t dcs, const float *y,
                                     Py_ssize_t yrs, Py_ssize_t ycs, int activation, float *dact)
    void fn_conv_activation_grad_f64(Py_ssize_t m, Py_ssize_t filters, const double *d,
                                     Py_ssize_t drs, Py_ssize_t dcs, const double *y,
                                     Py_ssize_t yrs, Py_ssize_t ycs, int activation,
                                     double *dact)


cdef extern from "norm/batchnorm.h" nogil:
    void fn_batchnorm_forward_train_f32(size_t n, size_t d, const float *x, const float *gamma,
                                        const float *beta, float *running_mean,
                                        float *running_var, double momentum, float *out,
                                        float *xn, float *std)
    void fn_batchnorm_forward_train_f64(size_t n, size_t d, const double *x,
                                        const double *gamma, const double *beta,
                                        double *running_mean, double *running_var,
                                        double momentum, double *out, double *xn, double *std)
    void fn_batchnorm_forward_infer_f32(size_t n, size_t d, const float *x, const float *gamma,
                                        const float *beta, const float *running_mean,
                                        const float *running_var, float *out)
    void fn_batchnorm_forward_infer_f64(size_t n, size_t d, const double *x,
                                        const double *gamma, const double *beta,
                                        const double *running_mean, const double *running_var,
                                        double *out)
    void fn_batchnorm_backward_f32(size_t n, size_t d, const float *dout, const float *xn,
                                   const float *std, const float *gamma, float *dx,
                                   float *dgamma, float *dbeta)
    void fn_batchnorm_backward_f64(size_t n, size_t d, const double *dout, const double *xn,
                                   const double *std, const double *gamma, double *dx,
                                   double *dgamma, double *dbeta)

cdef extern from "elementwise/elementwise.h" nogil:
    void fn_mask_multiply_f32(size_t size, const float *x, const uint8_t *mask, float *y)
    void fn_mask_multiply_f64(size_t size, const double *x, const uint8_t *mask, double *y)


cdef class _Buffers:
    """The buffers of one call's arrays, released together when it ends."""
    cdef Py_buffer v[10]
    cdef int count

    def __cinit__(self):
        self.count = 0

    cdef Py_buffer *get(self, object arr, bint writable) except NULL:
        PyObject_GetBuffer(arr, &self.v[self.count],
                           PyBUF_STRIDES | PyBUF_WRITABLE if writable else PyBUF_STRIDES)
        self.count += 1
        return &self.v[self.count - 1]

    def __dealloc__(self):
        for i in range(self.count):
            PyBuffer_Release(&self.v[i])


cdef void _element_strides(Py_buffer *v, Py_ssize_t *out) noexcept:
    for k in range(4):
        out[k] = v.strides[k] // v.itemsize


cdef fn_window _window(tuple shape, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride,
                       Py_ssize_t pad, Py_ssize_t oh, Py_ssize_t ow):
    cdef fn_window g
    g.n, g.c, g.h, g.w = shape
    g.fh, g.fw, g.stride, g.pad, g.oh, g.ow = fh, fw, stride, pad, oh, ow
    return g


def im2col(x, col, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad,
           Py_ssize_t oh, Py_ssize_t ow, bint channels_last=False):
    """col := the patches of x (any element strides); col a new C-order array, columns
    (c, i, j), or (i, j, c) when channels_last (x's channels adjacent)."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vc = b.get(col, True)
    cdef Py_ssize_t xs[4]
    _element_strides(vx, xs)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, oh, ow)
    if vx.itemsize == 4:
        with nogil:
            fn_im2col_f32(&g, <float *>vx.buf, xs, channels_last, <float *>vc.buf)
    else:
        with nogil:
            fn_im2col_f64(&g, <double *>vx.buf, xs, channels_last, <double *>vc.buf)


def col2im(col, dx, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad,
           Py_ssize_t oh, Py_ssize_t ow, bint channels_last=False):
    """dx := the patches of col (C order; (i, j, c) columns when channels_last, dx's
    channels then adjacent) put back; dx any contents, any element strides."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vc = b.get(col, False)
    cdef Py_buffer *vd = b.get(dx, True)
    cdef Py_ssize_t ds[4]
    _element_strides(vd, ds)
    cdef fn_window g = _window(dx.shape, fh, fw, stride, pad, oh, ow)
    if vc.itemsize == 4:
        with nogil:
            fn_col2im_f32(&g, <float *>vc.buf, <float *>vd.buf, ds, channels_last)
    else:
        with nogil:
            fn_col2im_f64(&g, <double *>vc.buf, <double *>vd.buf, ds, channels_last)


def max_pool_forward(x, out, arg_max, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t stride,
                     Py_ssize_t pad):
    """out, arg_max := the max of each window of x and its first position; out and
    arg_max both C order, or all three arrays channels-last (strides[1] one element)."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vo = b.get(out, True)
    cdef Py_buffer *va = b.get(arg_max, True)
    cdef Py_ssize_t xs[4]
    cdef Py_ssize_t os[4]
    cdef Py_ssize_t as_[4]
    _element_strides(vx, xs)
    _element_strides(vo, os)
    _element_strides(va, as_)
    cdef fn_window g = _window(x.shape, ph, pw, stride, pad, out.shape[2], out.shape[3])
    if vx.itemsize == 4:
        with nogil:
            fn_max_pool_forward_f32(&g, <float *>vx.buf, xs, <float *>vo.buf, os,
                                    <int32_t *>va.buf, as_)
    else:
        with nogil:
            fn_max_pool_forward_f64(&g, <double *>vx.buf, xs, <double *>vo.buf, os,
                                    <int32_t *>va.buf, as_)


def max_pool_backward(dout, arg_max, dx, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t stride,
                      Py_ssize_t pad):
    """dx := dout routed to each window's arg_max, zeros elsewhere (all of dx is written);
    every array any element strides."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vo = b.get(dout, False)
    cdef Py_buffer *va = b.get(arg_max, False)
    cdef Py_buffer *vd = b.get(dx, True)
    cdef Py_ssize_t os[4]
    cdef Py_ssize_t as_[4]
    cdef Py_ssize_t ds[4]
    _element_strides(vo, os)
    _element_strides(va, as_)
    _element_strides(vd, ds)
    cdef fn_window g = _window(dx.shape, ph, pw, stride, pad, dout.shape[2], dout.shape[3])
    if vo.itemsize == 4:
        with nogil:
            fn_max_pool_backward_f32(&g, <float *>vo.buf, os, <int32_t *>va.buf, as_,
                                     <float *>vd.buf, ds)
    else:
        with nogil:
            fn_max_pool_backward_f64(&g, <double *>vo.buf, os, <int32_t *>va.buf, as_,
                                     <double *>vd.buf, ds)


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, double momentum,
                            out, xn, std):
    """out, xn, std := batch norm of the C-order (n, d) x, n >= 1; running stats in place."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *v[9]
    for k, (arr, w) in enumerate(((x, 0), (gamma, 0), (beta, 0), (running_mean, 1),
                                  (running_var, 1), (out, 1), (xn, 1), (std, 1))):
        v[k] = b.get(arr, w)
    cdef size_t n = x.shape[0], d = x.shape[1]
    if v[0].itemsize == 4:
        with nogil:
            fn_batchnorm_forward_train_f32(n, d, <float *>v[0].buf, <float *>v[1].buf,
                                           <float *>v[2].buf, <float *>v[3].buf,
                                           <float *>v[4].buf, momentum, <float *>v[5].buf,
                                           <float *>v[6].buf, <float *>v[7].buf)
    else:
        with nogil:
            fn_batchnorm_forward_train_f64(n, d, <double *>v[0].buf, <double *>v[1].buf,
                                           <double *>v[2].buf, <double *>v[3].buf,
                                           <double *>v[4].buf, momentum, <double *>v[5].buf,
                                           <double *>v[6].buf, <double *>v[7].buf)


def batchnorm_forward_infer(x, gamma, beta, running_mean, running_var, out):
    """out := batch norm of the C-order (n, d) x with the running statistics."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *v[6]
    for k, (arr, w) in enumerate(((x, 0), (gamma, 0), (beta, 0), (running_mean, 0),
                                  (running_var, 0), (out, 1))):
        v[k] = b.get(arr, w)
    cdef size_t n = x.shape[0], d = x.shape[1]
    if v[0].itemsize == 4:
        with nogil:
            fn_batchnorm_forward_infer_f32(n, d, <float *>v[0].buf, <float *>v[1].buf,
                                           <float *>v[2].buf, <float *>v[3].buf,
                                           <float *>v[4].buf, <float *>v[5].buf)
    else:
        with nogil:
            fn_batchnorm_forward_infer_f64(n, d, <double *>v[0].buf, <double *>v[1].buf,
                                           <double *>v[2].buf, <double *>v[3].buf,
                                           <double *>v[4].buf, <double *>v[5].buf)


def batchnorm_backward(dout, xn, std, gamma, dx, dgamma, dbeta):
    """dx, dgamma, dbeta := batch norm's gradients, every array C-order."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *v[7]
    for k, (arr, w) in enumerate(((dout, 0), (xn, 0), (std, 0), (gamma, 0), (dx, 1),
                                  (dgamma, 1), (dbeta, 1))):
        v[k] = b.get(arr, w)
    cdef size_t n = dout.shape[0], d = dout.shape[1]
    if v[0].itemsize == 4:
        with nogil:
            fn_batchnorm_backward_f32(n, d, <float *>v[0].buf, <float *>v[1].buf,
                                      <float *>v[2].buf, <float *>v[3].buf, <float *>v[4].buf,
                                      <float *>v[5].buf, <float *>v[6].buf)
    else:
        with nogil:
            fn_batchnorm_backward_f64(n, d, <double *>v[0].buf, <double *>v[1].buf,
                                      <double *>v[2].buf, <double *>v[3].buf,
                                      <double *>v[4].buf, <double *>v[5].buf,
                                      <double *>v[6].buf)


def mask_multiply(x, mask, y):
    """y := x·mask, x, mask (bool) and y C-order of one size."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vm = b.get(mask, False)
    cdef Py_buffer *vy = b.get(y, True)
    cdef size_t size = vx.len // vx.itemsize
    if vx.itemsize == 4:
        with nogil:
            fn_mask_multiply_f32(size, <float *>vx.buf, <uint8_t *>vm.buf, <float *>vy.buf)
    else:
        with nogil:
            fn_mask_multiply_f64(size, <double *>vx.buf, <uint8_t *>vm.buf, <double *>vy.buf)


def conv_forward(x, bint channels_last, w, bias, int activation, int kernel, out,
                 Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad):
    """out := act(x ⊛ W + b) as (n·oh·ow, filters) rows; w (filters, c·fh·fw) and bias
    C-order, w's columns in (i, j, c) order when channels_last, else (c, i, j); out a new C-order (n, oh, ow, filters) array. False if memory ran out."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vw = b.get(w, False)
    cdef Py_buffer *vb = b.get(bias, False)
    cdef Py_buffer *vo = b.get(out, True)
    cdef Py_ssize_t xs[4]
    _element_strides(vx, xs)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, out.shape[1], out.shape[2])
    cdef Py_ssize_t filters = w.shape[0]
    cdef int status
    if vx.itemsize == 4:
        with nogil:
            status = fn_conv_forward_f32(&g, <float *>vx.buf, xs, channels_last, <float *>vw.buf, filters,
                                         <float *>vb.buf, activation, kernel, <float *>vo.buf)
    else:
        with nogil:
            status = fn_conv_forward_f64(&g, <double *>vx.buf, xs, channels_last, <double *>vw.buf, filters,
                                         <double *>vb.buf, activation, kernel,
                                         <double *>vo.buf)
    return status == 0


def conv_backward(dout, y, int activation, x, bint channels_last, w, w_flip, int kernel, dw, db,
                  dx, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad):
    """dw, db := the filter and bias gradients; dx (zeroed, any strides) += the input
    gradient unless dx is None. dout: the gradient of y = act(out); y is read unless
    activation is 0 (identity); both (n, filters, oh, ow) with strides[2] ==
    ow·strides[3]. w_flip: None, or the flipped filters that let dx be computed as a
    convolution (see csrc/conv/conv.h for when). False if memory ran out."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vd = b.get(dout, False)
    cdef Py_buffer *vy = b.get(y, False)
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vw = b.get(w, False)
    cdef Py_buffer *vdw = b.get(dw, True)
    cdef Py_buffer *vdb = b.get(db, True)
    cdef Py_buffer *vdx = b.get(dx, True) if dx is not None else NULL
    cdef Py_ssize_t xs[4]
    cdef Py_ssize_t os[4]
    cdef Py_ssize_t ys[4]
    cdef Py_ssize_t ds[4]
    _element_strides(vx, xs)
    _element_strides(vd, os)
    _element_strides(vy, ys)
    # Rows (n, oh, ow) are read one stride apart; with OW = 1 that stride is
    # OH's, and NumPy may export any stride for the axis of length 1.
    os[3] = _row_stride(vd)
    ys[3] = _row_stride(vy)
    if vdx != NULL:
        _element_strides(vdx, ds)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, dout.shape[2], dout.shape[3])
    cdef Py_ssize_t filters = w.shape[0]
    cdef void *dx_ptr = vdx.buf if vdx != NULL else NULL
    cdef Py_buffer *vf = b.get(w_flip, False) if w_flip is not None else NULL
    cdef void *flip_ptr = vf.buf if vf != NULL else NULL
    cdef int status
    if vx.itemsize == 4:
        with nogil:
            status = fn_conv_backward_f32(&g, <float *>vx.buf, xs, channels_last,
                                          <float *>vw.buf, filters, <float *>vd.buf, os,
                                          <float *>vy.buf, ys, activation, kernel,
                                          <float *>vdw.buf, <float *>vdb.buf, <float *>dx_ptr,
                                          ds, <float *>flip_ptr)
    else:
        with nogil:
            status = fn_conv_backward_f64(&g, <double *>vx.buf, xs, channels_last,
                                          <double *>vw.buf, filters, <double *>vd.buf, os,
                                          <double *>vy.buf, ys, activation, kernel,
                                          <double *>vdw.buf, <double *>vdb.buf,
                                          <double *>dx_ptr, ds, <double *>flip_ptr)
    return status == 0


cdef fn_window _pool_window(Py_ssize_t n, Py_ssize_t filters, Py_ssize_t oh, Py_ssize_t ow,
                            tuple pool, tuple pooled_shape):
    """The pooling window over a convolution's (n, filters, oh, ow) output."""
    ph, pw, stride, pad = pool
    return _window((n, filters, oh, ow), ph, pw, stride, pad, pooled_shape[1], pooled_shape[2])


def conv_pool_forward(x, bint channels_last, w, bias, int activation, int kernel, out, arg_max,
                      Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride, Py_ssize_t pad,
                      Py_ssize_t oh, Py_ssize_t ow, tuple pool):
    """out, arg_max := maxpool(act(x ⊛ W + b)) and the winners' positions, both new
    C-order (n, pooled oh, pooled ow, filters) arrays; the convolution is oh x ow, pool
    is (pool_h, pool_w, stride, pad); w and bias as conv_forward's. False if memory ran out."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vw = b.get(w, False)
    cdef Py_buffer *vb = b.get(bias, False)
    cdef Py_buffer *vo = b.get(out, True)
    cdef Py_buffer *va = b.get(arg_max, True)
    cdef Py_ssize_t xs[4]
    _element_strides(vx, xs)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, oh, ow)
    cdef Py_ssize_t filters = w.shape[0]
    cdef fn_window p = _pool_window(g.n, filters, oh, ow, pool, out.shape)
    cdef int status
    if vx.itemsize == 4:
        with nogil:
            status = fn_conv_pool_forward_f32(&g, <float *>vx.buf, xs, channels_last,
                                              <float *>vw.buf, filters, <float *>vb.buf,
                                              activation, kernel, &p, <float *>vo.buf,
                                              <int32_t *>va.buf)
    else:
        with nogil:
            status = fn_conv_pool_forward_f64(&g, <double *>vx.buf, xs, channels_last,
                                              <double *>vw.buf, filters, <double *>vb.buf,
                                              activation, kernel, &p, <double *>vo.buf,
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
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vd = b.get(dout, False)
    cdef Py_buffer *va = b.get(arg_max, False)
    cdef Py_buffer *vy = b.get(out, False)
    cdef Py_buffer *vx = b.get(x, False)
    cdef Py_buffer *vw = b.get(w, False)
    cdef Py_buffer *vdw = b.get(dw, True)
    cdef Py_buffer *vdb = b.get(db, True)
    cdef Py_buffer *vdx = b.get(dx, True) if dx is not None else NULL
    cdef Py_ssize_t xs[4]
    cdef Py_ssize_t os[4]
    cdef Py_ssize_t ys[4]
    cdef Py_ssize_t as_[4]
    cdef Py_ssize_t ds[4]
    _element_strides(vx, xs)
    _element_strides(vd, os)
    _element_strides(vy, ys)
    _element_strides(va, as_)
    os[3] = _row_stride(vd)  # the pooled pixels are read as one flat run (see conv_backward)
    ys[3] = _row_stride(vy)
    if vdx != NULL:
        _element_strides(vdx, ds)
    cdef fn_window g = _window(x.shape, fh, fw, stride, pad, oh, ow)
    cdef Py_ssize_t filters = w.shape[0]
    cdef fn_window p = _pool_window(g.n, filters, oh, ow, pool,
                                    (dout.shape[0], dout.shape[2], dout.shape[3]))
    cdef void *dx_ptr = vdx.buf if vdx != NULL else NULL
    cdef Py_buffer *vf = b.get(w_flip, False) if w_flip is not None else NULL
    cdef void *flip_ptr = vf.buf if vf != NULL else NULL
    cdef int status
    if vx.itemsize == 4:
        with nogil:
            status = fn_conv_pool_backward_f32(
                &g, <float *>vx.buf, xs, channels_last, <float *>vw.buf, filters, &p,
                <float *>vd.buf, os, <float *>vy.buf, ys, <int32_t *>va.buf, as_, activation,
                kernel, <float *>vdw.buf, <float *>vdb.buf, <float *>dx_ptr, ds,
                <float *>flip_ptr)
    else:
        with nogil:
            status = fn_conv_pool_backward_f64(
                &g, <double *>vx.buf, xs, channels_last, <double *>vw.buf, filters, &p,
                <double *>vd.buf, os, <double *>vy.buf, ys, <int32_t *>va.buf, as_, activation,
                kernel, <double *>vdw.buf, <double *>vdb.buf, <double *>dx_ptr, ds,
                <double *>flip_ptr)
    return status == 0


cdef Py_ssize_t _row_stride(Py_buffer *v) noexcept:
    """The element stride between rows (n, oh, ow) of a (n, f, oh, ow) buffer whose rows
    are one stride apart. Read from an axis longer than 1: NumPy exports any stride
    for an axis of length 1 (canonical ones for a C-contiguous array)."""
    if v.shape[3] > 1:
        return v.strides[3] // v.itemsize
    if v.shape[2] > 1:
        return v.strides[2] // v.itemsize
    return v.strides[0] // v.itemsize


def activation_grad(dout, y, int activation, out):
    """out (n·oh·ow, filters) := dout ⊙ act'(y), dout and y (n, filters, oh, ow) whose
    (oh, ow) flatten to one stride and whose images are that many rows apart."""
    cdef _Buffers b = _Buffers()
    cdef Py_buffer *vd = b.get(dout, False)
    cdef Py_buffer *vy = b.get(y, False)
    cdef Py_buffer *vo = b.get(out, True)
    cdef Py_ssize_t item = vd.itemsize
    cdef Py_ssize_t m = out.shape[0], filters = out.shape[1]
    cdef Py_ssize_t drs = _row_stride(vd), yrs = _row_stride(vy)
    if item == 4:
        with nogil:
            fn_conv_activation_grad_f32(m, filters, <float *>vd.buf, drs,
                                        vd.strides[1] // item, <float *>vy.buf,
                                        yrs, vy.strides[1] // item,
                                        activation, <float *>vo.buf)
    else:
        with nogil:
            fn_conv_activation_grad_f64(m, filters, <double *>vd.buf, drs,
                                        vd.strides[1] // item, <double *>vy.buf,
                                        yrs, vy.strides[1] // item,
                                        activation, <double *>vo.buf)
