# The C vocabulary (csrc/common/vocabulary.h): activations, SIMD levels, dtypes.

cdef extern from "common/vocabulary.h" nogil:
    enum fn_activation:
        FN_IDENTITY
        FN_RELU
        FN_SIGMOID
        FN_TANH
        FN_ACTIVATION_COUNT
    const char *fn_activation_names[]

    enum fn_simd:
        FN_PORTABLE
        FN_AVX2
        FN_AVX512
        FN_SIMD_COUNT
    const char *fn_simd_names[]

    enum fn_dtype:
        FN_F32
        FN_F64
