/* Body of broadcast.c for one float type. Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the type's name suffix, x##_f32 or x##_f64
 * broadcast.c includes this file once per type. */

/* c[0:len] := a + b along one run of the collapsed iteration; sa and sb are
 * element strides (0 when that operand broadcasts along the run). The three
 * common cases get their own loop so that the compiler vectorises them. */
static void FN(add_run)(size_t len, const real *a, ptrdiff_t sa, const real *b, ptrdiff_t sb,
                        real *c) {
    if (sa == 1 && sb == 1) {
        for (size_t i = 0; i < len; i++) c[i] = a[i] + b[i];
    } else if (sa == 1 && sb == 0) {
        const real bv = b[0];
        for (size_t i = 0; i < len; i++) c[i] = a[i] + bv;
    } else if (sa == 0 && sb == 1) {
        const real av = a[0];
        for (size_t i = 0; i < len; i++) c[i] = av + b[i];
    } else {
        for (size_t i = 0; i < len; i++) c[i] = a[(ptrdiff_t)i * sa] + b[(ptrdiff_t)i * sb];
    }
}

/* c := a + b with NumPy broadcasting. See elementwise.h.
 * Fast version: the dims are first collapsed (size-1 dims dropped, dims that
 * are contiguous in a, b and c merged), so a same-shape add is one flat run
 * and a bias-like add is rows × one vectorised run; the runs are then walked
 * with an odometer instead of NumPy's general iterator. */
void FN(fn_add)(int ndim, const ptrdiff_t *shape, const real *a, const ptrdiff_t *a_strides,
                const real *b, const ptrdiff_t *b_strides, real *c) {
    struct fn_dims d;
    if (!fn_collapse_dims(ndim, shape, a_strides, b_strides, sizeof(real), &d)) return;
    if (d.ndim == 0) {  /* one element */
        c[0] = a[0] + b[0];
        return;
    }
    const int in = d.ndim - 1;  /* the innermost dim: the vectorised run */
    const size_t len = (size_t)d.shape[in];
    const ptrdiff_t sa = d.sa[in], sb = d.sb[in];
    const size_t rows = d.total / len;
    const int nt = fn_threads_for(d.total);

    if (rows == 1) {
        /* one long run: split it between threads */
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
        for (int t = 0; t < nt; t++) {
            size_t lo = len * (size_t)t / (size_t)nt, hi = len * (size_t)(t + 1) / (size_t)nt;
            FN(add_run)(hi - lo, a + (ptrdiff_t)lo * sa, sa, b + (ptrdiff_t)lo * sb, sb, c + lo);
        }
        return;
    }

#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t r = rows * (size_t)t / (size_t)nt, r_end = rows * (size_t)(t + 1) / (size_t)nt;
        if (r >= r_end) continue;
        /* odometer over the outer dims, started at row r */
        ptrdiff_t idx[FN_MAX_DIMS];
        ptrdiff_t oa = 0, ob = 0;
        size_t rest = r;
        for (int k = in - 1; k >= 0; k--) {
            idx[k] = (ptrdiff_t)(rest % (size_t)d.shape[k]);
            rest /= (size_t)d.shape[k];
            oa += idx[k] * d.sa[k];
            ob += idx[k] * d.sb[k];
        }
        for (; r < r_end; r++) {
            FN(add_run)(len, a + oa, sa, b + ob, sb, c + r * len);
            for (int k = in - 1; k >= 0; k--) {  /* next row: carry like a counter */
                oa += d.sa[k];
                ob += d.sb[k];
                if (++idx[k] < d.shape[k]) break;
                oa -= d.sa[k] * d.shape[k];
                ob -= d.sb[k] * d.shape[k];
                idx[k] = 0;
            }
        }
    }
}

/* s := Σ_i X[i, :]. See elementwise.h.
 * Fast version: whole rows are added into s (contiguous, vectorised, s stays
 * in cache) instead of summing one strided column at a time; threads split
 * the columns, so every column is summed in the same order on any number of
 * threads (and in NumPy's order: row after row). */
void FN(fn_column_sum)(size_t n, size_t m, const real *x, ptrdiff_t row_stride, real *s) {
    const int nt = m >= 64 ? fn_threads_for(n * m) : 1;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo = m * (size_t)t / (size_t)nt, hi = m * (size_t)(t + 1) / (size_t)nt;
        real *st = s + lo;
        const size_t w = hi - lo;
        for (size_t j = 0; j < w; j++) st[j] = 0;
        for (size_t i = 0; i < n; i++) {
            const real *row = x + (ptrdiff_t)i * row_stride + lo;
            for (size_t j = 0; j < w; j++) st[j] += row[j];
        }
    }
}
