/* fn_gemm_have_avx2: may rung 5's micro-kernel run here? See gemm.h. */
#include "../cpu_features.h"
#include "gemm.h"

int fn_gemm_have_avx2(void) {
#ifdef FASTNET_X86
    return fn_cpu_has_avx2_fma();
#else
    return 0; /* kernel_avx2.c is empty on other CPUs */
#endif
}
