/* The activation loops of activations_impl.h compiled with -mavx2 -mfma
 * (CMakeLists.txt sets these flags on this file alone). activations.c calls
 * them only when CPUID reports AVX2 and FMA, so the wheel still runs on older
 * CPUs. Twice the lanes of the portable SSE2 build, and FMA for the exp
 * polynomial, which is what keeps sigmoid and tanh at memory speed. */
#include <string.h>
#include <tgmath.h>

#include "elementwise.h"
#include "common/fast_exp.h"

#define FN_ISA avx2
#define FN_BODY "elementwise/activations_impl.h"
#include "common/dtype_both.h"
