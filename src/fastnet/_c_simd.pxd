# The one SIMD picker (csrc/common/simd.h).

from ._c_vocabulary cimport fn_simd


cdef extern from "common/simd.h" nogil:
    fn_simd fn_cpu_simd()
    fn_simd fn_simd_level()
