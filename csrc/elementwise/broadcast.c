/* Broadcasting add and column sums (see elementwise.h for the contracts). */
#include "elementwise.h"

#include "common/threads.h"

/* The iteration space of c := a + b after collapsing: `ndim` dims (innermost
 * last) with element strides sa, sb of a and b; c is contiguous. */
struct fn_dims {
    int ndim;
    size_t total;
    ptrdiff_t shape[FN_MAX_DIMS];
    ptrdiff_t sa[FN_MAX_DIMS];
    ptrdiff_t sb[FN_MAX_DIMS];
};

/* Drop size-1 dims and merge each dim into the one inside it when both a and b
 * step through the pair as through one dim (outer stride = inner stride ×
 * inner size; a broadcast 0 stride merges with 0). Byte strides become element
 * strides. Returns 0 when the result is empty. */
static int fn_collapse_dims(int ndim, const ptrdiff_t *shape, const ptrdiff_t *a_strides,
                            const ptrdiff_t *b_strides, size_t itemsize, struct fn_dims *d) {
    d->ndim = 0;
    d->total = 1;
    for (int k = 0; k < ndim; k++) {
        if (shape[k] == 0) return 0;
        if (shape[k] == 1) continue;
        ptrdiff_t sa = a_strides[k] / (ptrdiff_t)itemsize, sb = b_strides[k] / (ptrdiff_t)itemsize;
        int last = d->ndim - 1;
        d->total *= (size_t)shape[k];
        /* scanning outer to inner: the previous kept dim is the outer one */
        if (last >= 0 && d->sa[last] == sa * shape[k] && d->sb[last] == sb * shape[k]) {
            d->shape[last] *= shape[k];
            d->sa[last] = sa;
            d->sb[last] = sb;
            continue;
        }
        d->shape[d->ndim] = shape[k];
        d->sa[d->ndim] = sa;
        d->sb[d->ndim] = sb;
        d->ndim++;
    }
    return 1;
}

#define FN_BODY "elementwise/broadcast_impl.h"
#include "common/dtype_both.h"

/* The entry points: the element type chosen here. */
void fn_add(enum fn_dtype dtype, int ndim, const ptrdiff_t *shape, const void *a,
            const ptrdiff_t *a_strides, const void *b, const ptrdiff_t *b_strides, void *c) {
    FN_BY_DTYPE(dtype, fn_add, (ndim, shape, a, a_strides, b, b_strides, c));
}

void fn_column_sum(enum fn_dtype dtype, size_t n, size_t m, const void *x, ptrdiff_t row_stride,
                   void *s) {
    FN_BY_DTYPE(dtype, fn_column_sum, (n, m, x, row_stride, s));
}
