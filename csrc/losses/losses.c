/* Softmax and losses (see losses.h for the contracts). */
#include <math.h>
#include <stdlib.h>
#include <tgmath.h>

#include "common/simd.h"
#include "common/fast_exp.h"
#include "losses.h"
#include "common/threads.h"

/* the portable row loops */
#define FN_BODY "losses/losses_rows_impl.h"
#include "common/dtype_both.h"

#ifdef FASTNET_X86 /* the AVX2+FMA and AVX-512 row loops, in losses_avx*.c */
void fn_softmax_row_f32_avx2(size_t c, const float *x, float *y);
void fn_softmax_row_f64_avx2(size_t c, const double *x, double *y);
double fn_softmax_ce_row_f32_avx2(size_t c, const float *x, const float *t, ptrdiff_t label,
                                  float inv_n, float *dx);
double fn_softmax_ce_row_f64_avx2(size_t c, const double *x, const double *t, ptrdiff_t label,
                                  double inv_n, double *dx);
void fn_softmax_row_f32_avx512(size_t c, const float *x, float *y);
void fn_softmax_row_f64_avx512(size_t c, const double *x, double *y);
double fn_softmax_ce_row_f32_avx512(size_t c, const float *x, const float *t, ptrdiff_t label,
                                    float inv_n, float *dx);
double fn_softmax_ce_row_f64_avx512(size_t c, const double *x, const double *t,
                                    ptrdiff_t label, double inv_n, double *dx);
#endif

/* Loss sums over elements are cut into blocks of FN_SUM_BLOCK; each block's
 * sum has its own slot and the slots are added in order, so the number of
 * threads cannot change the result. */
#define FN_SUM_BLOCK ((size_t)4096)

typedef struct {
    size_t count; /* blocks */
    double *sum;  /* one slot per block */
    double one;   /* the slot when there is one block: no allocation */
} fn_block_sums;

/* Slots for the blocks of n elements: 0, or -1 when out of memory. */
static int fn_block_sums_open(fn_block_sums *s, size_t n) {
    s->count = (n + FN_SUM_BLOCK - 1) / FN_SUM_BLOCK;
    s->sum = s->count == 1 ? &s->one : malloc(s->count * sizeof(double));
    return s->sum ? 0 : -1;
}

static inline size_t fn_block_start(ptrdiff_t b) { return (size_t)b * FN_SUM_BLOCK; }

/* The slots added in order, over n; the slots freed. */
static double fn_block_sums_mean(fn_block_sums *s, size_t n) {
    double sum = 0.0;
    for (size_t b = 0; b < s->count; b++) sum += s->sum[b];
    if (s->sum != &s->one) free(s->sum);
    return sum / (double)n;
}

/* `FN_FOR_BLOCKS(sums, n, b) body`: body for every block b, blocks split
 * between threads. */
#define FN_FOR_BLOCKS(sums, n, b)                                                         \
    const int fn_nt_ = fn_threads_for(n);                                                 \
    _Pragma("omp parallel for num_threads(fn_nt_) if (fn_nt_ > 1) schedule(static)")     \
    for (ptrdiff_t b = 0; b < (ptrdiff_t)(sums).count; b++)

#define FN_BODY "losses/losses_impl.h"
#include "common/dtype_both.h"

/* The entry points: one per kernel, the element type chosen here. */
void fn_softmax(enum fn_dtype dtype, size_t n, size_t c, const void *x, ptrdiff_t xs, void *y) {
    FN_BY_DTYPE(dtype, fn_softmax, (n, c, x, xs, y));
}

double fn_cross_entropy(enum fn_dtype dtype, size_t n, size_t c, const void *y, ptrdiff_t ys,
                        const ptrdiff_t *labels, const void *t, ptrdiff_t ts) {
    return FN_BY_DTYPE(dtype, fn_cross_entropy, (n, c, y, ys, labels, t, ts));
}

double fn_softmax_cross_entropy(enum fn_dtype dtype, size_t n, size_t c, const void *x,
                                ptrdiff_t xs, const ptrdiff_t *labels, const void *t,
                                ptrdiff_t ts, void *dx) {
    return FN_BY_DTYPE(dtype, fn_softmax_cross_entropy, (n, c, x, xs, labels, t, ts, dx));
}

double fn_sigmoid_bce(enum fn_dtype dtype, size_t n, const void *x, const void *t, void *dx) {
    return FN_BY_DTYPE(dtype, fn_sigmoid_bce, (n, x, t, dx));
}

double fn_mse(enum fn_dtype dtype, size_t n, const void *y, const void *t, void *dy) {
    return FN_BY_DTYPE(dtype, fn_mse, (n, y, t, dy));
}
