/* fn_gemm_have_avx2 / fn_gemm_have_avx512: may rung 5 / rung 6 run here? See gemm.h. */
#include "common/cpu_features.h"
#include "gemm.h"

int fn_gemm_have_avx2(void) {
#ifdef FASTNET_X86
    return fn_cpu_has_avx2_fma();
#else
    return 0; /* kernel_avx2.c is empty on other CPUs */
#endif
}

int fn_gemm_have_avx512(void) {
#ifdef FASTNET_X86
    return fn_cpu_has_avx512f();
#else
    return 0; /* kernel_avx512.c is empty on other CPUs */
#endif
}

#ifdef FASTNET_X86
double fn_gemm_fma_roof_avx2_f32(long steps);
double fn_gemm_fma_roof_avx2_f64(long steps);
double fn_gemm_fma_roof_f32_avx512(long steps);
double fn_gemm_fma_roof_f64_avx512(long steps);
#endif

double fn_gemm_fma_roof(int is_f64, int kernel, long steps) {
#ifdef FASTNET_X86
    if (kernel == FN_KERNEL_AVX512 && fn_gemm_have_avx512()) {
        return is_f64 ? fn_gemm_fma_roof_f64_avx512(steps) : fn_gemm_fma_roof_f32_avx512(steps);
    }
    if (kernel == FN_KERNEL_AVX2 && fn_gemm_have_avx2()) {
        return is_f64 ? fn_gemm_fma_roof_avx2_f64(steps) : fn_gemm_fma_roof_avx2_f32(steps);
    }
#endif
    (void)is_f64, (void)kernel, (void)steps;
    return 0; /* no SIMD roof for the portable kernel */
}
