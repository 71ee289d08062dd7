/* The row loops of losses_rows_impl.h compiled with -mavx512f (set on this
 * file alone in CMakeLists.txt); losses.c calls them only when CPUID reports
 * AVX-512F. */
#include <stddef.h>
#include <tgmath.h>

#include "common/fast_exp.h"
#include "losses.h"

#define FN_ISA avx512
#define FN_BODY "losses/losses_rows_impl.h"
#include "common/dtype_both.h"
