/* Optimizer updates (see optimizers.h for the contracts). */

/* The updates must round exactly like NumPy's separate operations, so the
 * compiler may not fuse a·b + c into one FMA (GCC does by default where the
 * target has FMA, e.g. aarch64; Clang within one expression). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <math.h>
#include <tgmath.h>

#include "optimizers.h"
#include "common/threads.h"

#define real float
#define FN(x) x##_f32
#include "optimizers_impl.h"
#undef real
#undef FN

#define real double
#define FN(x) x##_f64
#include "optimizers_impl.h"
#undef real
#undef FN
