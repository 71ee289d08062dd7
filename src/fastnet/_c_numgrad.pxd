# The loss series kernel (csrc/numgrad/xent_jet.h).

from libc.stdint cimport int64_t


cdef extern from "numgrad/xent_jet.h" nogil:
    void fn_xent_jet_f64(size_t n, size_t units, size_t classes, size_t given, size_t degree,
                         const double *y, const int64_t *labels, const double *da, double *out)
