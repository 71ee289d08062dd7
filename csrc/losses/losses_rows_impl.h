/* The exp-heavy row loops of softmax and softmax + cross-entropy, for one
 * float type and one instruction set. Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the name with its suffix (x##_f32, x##_avx2_f64, ...)
 * losses.c includes it for the portable build, losses_avx2.c for AVX2+FMA,
 * losses_avx512.c for AVX-512.
 *
 * A row is read once from memory; the later loops run on the row while it is
 * still in L1. `omp simd reduction` lets the compiler vectorise the max and
 * the sum (it may reorder them; with OpenMP off they run as written). */

/* max of x[0:c], c >= 1. A NaN may be skipped here: it still reaches the
 * exp-sum below and makes the row (and the loss) NaN, as in the reference. */
static real FN(row_max)(size_t c, const real *x) {
    real m = x[0];
#pragma omp simd reduction(max : m)
    for (size_t j = 0; j < c; j++) m = x[j] > m ? x[j] : m;
    return m;
}

/* e[j] := exp(x[j] - max) and returns Σ e. Subtracting the row max keeps every
 * argument <= 0, so exp cannot overflow (the book's softmax trick). */
static real FN(row_exp_sum)(size_t c, const real *x, real *e) {
    const real m = FN(row_max)(c, x);
    for (size_t j = 0; j < c; j++) e[j] = fn_exp_neg(x[j] - m);
    real s = 0;
#pragma omp simd reduction(+ : s)
    for (size_t j = 0; j < c; j++) s += e[j];
    return s;
}

/* y := softmax(x) for one row of c >= 1 elements. */
void FN(fn_softmax_row)(size_t c, const real *x, real *y) {
    const real s = FN(row_exp_sum)(c, x, y);
    const real inv = 1 / s;
    for (size_t j = 0; j < c; j++) y[j] *= inv;
}

/* One row of softmax + cross-entropy: dx := (softmax(x) - T) · inv_n with T
 * the target row t, or one-hot(label) when t is NULL; returns the row's loss
 * -log(p[label] + 1e-7), computed from p exactly as the reference does (not
 * as log-sum-exp, which would drop the book's 1e-7). */
double FN(fn_softmax_ce_row)(size_t c, const real *x, const real *t, ptrdiff_t label,
                             real inv_n, real *dx) {
    const real s = FN(row_exp_sum)(c, x, dx);
    const real p_label = dx[label] / s;
    const real inv = 1 / s;
    if (t) {
        for (size_t j = 0; j < c; j++) dx[j] = (dx[j] * inv - t[j]) * inv_n;
    } else {
        for (size_t j = 0; j < c; j++) dx[j] = dx[j] * inv * inv_n;
        dx[label] = (p_label - 1) * inv_n;
    }
    return -log((double)(p_label + (real)FN_CROSS_ENTROPY_EPS));
}
