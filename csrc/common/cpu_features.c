/* fn_cpu_has_avx2_fma, fn_cpu_has_avx512f: see cpu_features.h. */
#include "cpu_features.h"

int fn_cpu_has_avx2_fma(void) {
#if defined(FASTNET_X86) && (defined(__GNUC__) || defined(__clang__))
    /* GCC/Clang read CPUID (and XGETBV for the OS's AVX state) once at startup. */
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int fn_cpu_has_avx512f(void) {
#if defined(FASTNET_X86) && (defined(__GNUC__) || defined(__clang__))
    /* libgcc's check includes the OS saving the zmm registers (XGETBV). */
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}
