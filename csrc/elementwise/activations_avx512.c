/* The activation loops of activations_impl.h compiled with -mavx512f
 * (CMakeLists.txt sets these flags on this file alone). activations.c calls
 * them only when CPUID reports AVX-512F. Twice the lanes of the AVX2 build:
 * sigmoid and tanh are bound by the exp polynomial on arrays that fit in
 * cache, so this doubles their speed there. */
#include <string.h>
#include <tgmath.h>

#include "elementwise.h"
#include "common/fast_exp.h"

#define FN_ISA avx512
#define FN_BODY "elementwise/activations_impl.h"
#include "common/dtype_both.h"
