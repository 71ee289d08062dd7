/* fn_elementwise_simd: see elementwise.h. */
#include <stdlib.h>
#include <string.h>

#include "cpu_features.h"
#include "elementwise/elementwise.h"

/* Decided once (CPUID, then the environment). Two threads deciding at the
 * same time compute the same value, so the race on this int is harmless. */
static int fn_simd = -1;

int fn_elementwise_simd(void) {
    if (fn_simd < 0) {
        const char *cap = getenv("FASTNET_ELEMENTWISE_SIMD");
        int level = fn_cpu_has_avx512f() ? FN_SIMD_AVX512
                    : fn_cpu_has_avx2_fma() ? FN_SIMD_AVX2
                                            : FN_SIMD_PORTABLE;
        if (cap != NULL && strcmp(cap, "portable") == 0) level = FN_SIMD_PORTABLE;
        if (cap != NULL && strcmp(cap, "avx2") == 0 && level > FN_SIMD_AVX2) level = FN_SIMD_AVX2;
        fn_simd = level;
    }
    return fn_simd;
}

const char *fn_activation_simd(void) {
    static const char *const names[] = {"portable", "avx2", "avx512"};
    return names[fn_elementwise_simd()];
}
