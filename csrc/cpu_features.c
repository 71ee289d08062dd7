/* fn_cpu_has_avx2_fma: see cpu_features.h. */
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
