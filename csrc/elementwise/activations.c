/* Activation forward/backward (see elementwise.h for the contracts): the
 * portable loops, the choice between them and the AVX2 build, and the split
 * between threads. */
#include <string.h>
#include <tgmath.h>

#include "elementwise.h"
#include "common/fast_exp.h"
#include "common/simd.h"
#include "common/threads.h"

#define FN_BODY "elementwise/activations_impl.h"
#include "common/dtype_both.h"

/* The threaded entry points, once per dtype. */
#define FN_BODY "elementwise/activations_slices_impl.h"
#include "common/dtype_both.h"

void fn_act_forward(enum fn_dtype dtype, int act, const void *x, void *y, size_t n) {
    FN_BY_DTYPE(dtype, fn_act_forward, (act, x, y, n));
}

void fn_act_backward(enum fn_dtype dtype, int act, const void *dout, const void *y, void *dx,
                     size_t n) {
    FN_BY_DTYPE(dtype, fn_act_backward, (act, dout, y, dx, n));
}
