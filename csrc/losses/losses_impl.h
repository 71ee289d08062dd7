/* Body of losses.c for one float type: threads, labels and the loss sums.
 * Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the type's name suffix, x##_f32 or x##_f64
 * The row loops come from losses_rows_impl.h, in a portable, an AVX2 and an
 * AVX-512 build: FN(fn_softmax_row), FN_AT(fn_softmax_row, avx2), ..._avx512. */

/* The index of the first largest entry of t[0:c] (NumPy's argmax: the first
 * NaN, when there is one). */
static ptrdiff_t FN(row_argmax)(size_t c, const real *t) {
    ptrdiff_t best = 0;
    for (size_t j = 0; j < c; j++) {
        if (t[j] != t[j]) return (ptrdiff_t)j;
        if (t[j] > t[best]) best = (ptrdiff_t)j;
    }
    return best;
}

/* Y := softmax(X) row by row. See losses.h.
 * Fast version: one read of each row (max, exp and sum run while it is in
 * L1), vectorised exp, rows split between threads. */
void FN(fn_softmax)(size_t n, size_t c, const real *x, ptrdiff_t xs, real *y) {
    if (c == 0) return;
    void (*row)(size_t, const real *, real *) = FN(fn_softmax_row);
#ifdef FASTNET_X86
    if (fn_simd_level() == FN_AVX2) row = FN_AT(fn_softmax_row, avx2);
    if (fn_simd_level() == FN_AVX512) row = FN_AT(fn_softmax_row, avx512);
#endif
    const int nt = fn_threads_for(n * c);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t i = 0; i < (ptrdiff_t)n; i++) row(c, x + i * xs, y + (size_t)i * c);
}

/* The book's cross_entropy_error. See losses.h. */
double FN(fn_cross_entropy)(size_t n, size_t c, const real *y, ptrdiff_t ys,
                            const ptrdiff_t *labels, const real *t, ptrdiff_t ts) {
    if (n == 0) return 0.0;
    if (c == 0) return NAN; /* no class to pick: NumPy's argmax raises, here the loss is NaN */
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        ptrdiff_t k = labels ? labels[i] : FN(row_argmax)(c, t + (ptrdiff_t)i * ts);
        sum += log((double)(y[(ptrdiff_t)i * ys + k] + (real)FN_CROSS_ENTROPY_EPS));
    }
    return -sum / (double)n;
}

/* softmax + cross-entropy, loss and gradient together. See losses.h.
 * Fast version: one pass per row does max, exp-sum, the loss term and dX
 * (the reference makes ~6 passes over (N, C) arrays). Threads split the rows;
 * each row's loss goes to its own slot and the slots are added in row order,
 * so the loss is the same on any number of threads. */
double FN(fn_softmax_cross_entropy)(size_t n, size_t c, const real *x, ptrdiff_t xs,
                                    const ptrdiff_t *labels, const real *t, ptrdiff_t ts,
                                    real *dx) {
    if (n == 0) return 0.0;
    if (c == 0) return NAN; /* rows without classes: the Backend reports the NaN loss */
    double (*row)(size_t, const real *, const real *, ptrdiff_t, real, real *) =
        FN(fn_softmax_ce_row);
#ifdef FASTNET_X86
    if (fn_simd_level() == FN_AVX2) row = FN_AT(fn_softmax_ce_row, avx2);
    if (fn_simd_level() == FN_AVX512) row = FN_AT(fn_softmax_ce_row, avx512);
#endif
    const real inv_n = (real)(1.0 / (double)n);
    int nt = fn_threads_for(n * c);
    double *row_loss = nt > 1 ? malloc(n * sizeof(double)) : NULL;
    if (row_loss == NULL) nt = 1;

    double sum = 0.0;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static) reduction(+ : sum)
    for (ptrdiff_t i = 0; i < (ptrdiff_t)n; i++) {
        const real *ti = labels ? NULL : t + i * ts;
        ptrdiff_t k = labels ? labels[i] : FN(row_argmax)(c, ti);
        double li = row(c, x + i * xs, ti, k, inv_n, dx + (size_t)i * c);
        if (nt > 1) row_loss[i] = li;
        else sum += li;
    }
    if (nt > 1) {
        for (size_t i = 0; i < n; i++) sum += row_loss[i];
        free(row_loss);
    }
    return sum / (double)n;
}

/* sigmoid + binary cross-entropy. See losses.h.
 * Fast version: one pass computes the loss term and dX per element; the
 * loss uses the stable softplus(x) - t·x = max(x, 0) + log1p(e^-|x|) - t·x,
 * which never takes the log of 0 and never overflows. */
double FN(fn_sigmoid_bce)(size_t n, const real *x, const real *t, real *dx) {
    if (n == 0) return 0.0;
    const real size = (real)n;
    fn_block_sums sums;
    if (fn_block_sums_open(&sums, n)) return NAN; /* out of memory: Python reports a non-finite loss */
    FN_FOR_BLOCKS(sums, n, b) {
        double s = 0.0;
        for (size_t i = fn_block_start(b); i < fn_block_start(b + 1) && i < n; i++) {
            real xi = x[i], e = fn_exp_neg(-fn_abs(xi));
            s += (xi > 0 ? (double)xi : 0.0) + log1p((double)e) - (double)t[i] * (double)xi;
            dx[i] = ((xi >= 0 ? (real)1 : e) / (1 + e) - t[i]) / size;
        }
        sums.sum[b] = s;
    }
    return fn_block_sums_mean(&sums, n);
}

/* mean squared error. See losses.h. One pass for the loss and dY. */
double FN(fn_mse)(size_t n, const real *y, const real *t, real *dy) {
    if (n == 0) return 0.0;
    const real scale = (real)(2.0 / (double)n);
    fn_block_sums sums;
    if (fn_block_sums_open(&sums, n)) return NAN;
    FN_FOR_BLOCKS(sums, n, b) {
        double s = 0.0;
        for (size_t i = fn_block_start(b); i < fn_block_start(b + 1) && i < n; i++) {
            real d = y[i] - t[i];
            s += (double)d * (double)d;
            dy[i] = scale * d;
        }
        sums.sum[b] = s;
    }
    return fn_block_sums_mean(&sums, n);
}
