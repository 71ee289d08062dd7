# The numerical-gradient kernels (csrc/numgrad/xent_jet.h, csrc/numgrad/series_sum.h).

from libc.stdint cimport int64_t, uint8_t


cdef extern from "numgrad/xent_jet.h" nogil:
    void fn_xent_jet_f64(size_t n, size_t units, size_t classes, size_t given, size_t degree,
                         const double *y, const int64_t *labels, const double *da, double *out)
    void fn_affine_jet_f64(size_t n, size_t units, size_t classes, size_t degree,
                           int activation, const double *y, const int64_t *labels,
                           const double *pre, const double *w, double *out)


cdef extern from "numgrad/series_sum.h" nogil:
    int fn_series_sum_f64(size_t n, size_t inputs, size_t units, size_t degree,
                          const double *X, const double *g, const uint8_t *valid,
                          const double *up, const double *down, size_t count,
                          const int64_t *powers, double h, double *out)
