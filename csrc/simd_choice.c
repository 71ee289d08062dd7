/* fn_elementwise_use_avx2: see elementwise.h. */
#include <stdlib.h>
#include <string.h>

#include "cpu_features.h"
#include "elementwise.h"

/* Decided once (CPUID, then the environment). Two threads deciding at the
 * same time compute the same value, so the race on this int is harmless. */
static int fn_use_avx2 = -1;

int fn_elementwise_use_avx2(void) {
    if (fn_use_avx2 < 0) {
        const char *force = getenv("FASTNET_ELEMENTWISE_SIMD");
        int portable = force != NULL && strcmp(force, "portable") == 0;
        fn_use_avx2 = !portable && fn_cpu_has_avx2_fma();
    }
    return fn_use_avx2;
}

const char *fn_activation_simd(void) { return fn_elementwise_use_avx2() ? "avx2" : "portable"; }
