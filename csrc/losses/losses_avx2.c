/* The row loops of losses_rows_impl.h compiled with -mavx2 -mfma (set on this
 * file alone in CMakeLists.txt); losses.c calls them only when CPUID reports
 * AVX2 and FMA. */
#include <stddef.h>
#include <tgmath.h>

#include "common/fast_exp.h"
#include "losses.h"

#define real float
#define FN(x) x##_avx2_f32
#include "losses_rows_impl.h"
#undef real
#undef FN

#define real double
#define FN(x) x##_avx2_f64
#include "losses_rows_impl.h"
#undef real
#undef FN
