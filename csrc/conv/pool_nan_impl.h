/* How max pooling meets a NaN, for one float type (included by pool_impl.h,
 * after fn_pool_window_padded; real, same_int and FN as there). NumPy's rule
 * (np.argmax): a window holding a NaN has the max NaN and arg_max the
 * position of its first NaN. The fast loops' `v > best` is false for a NaN,
 * so they never take one. The 2x2 loop marks a window holding a NaN as it
 * goes (fn_pool_2x2), and fn_pool_nan_2x2 rewrites those; the other loops
 * first look for a NaN in the whole image or plane (one vectorized pass) and
 * pool one that holds a NaN by the checked loop, which follows the rule. */

/* Each of the 2x2 windows of fn_pool_2x2 (window c at p0..p3 + c·step) that
 * holds a NaN: o[c] := its first NaN, a[c] := that NaN's position. */
static __attribute__((cold, noinline)) void FN(fn_pool_nan_2x2)(
    ptrdiff_t count, ptrdiff_t step, const real *p0, const real *p1, const real *p2,
    const real *p3, real *o, int32_t *a) {
    for (ptrdiff_t c = 0; c < count; c++) {
        const real v[4] = {p0[c * step], p1[c * step], p2[c * step], p3[c * step]};
        for (int k = 0; k < 4; k++) {
            if (v[k] != v[k]) {
                o[c] = v[k];
                a[c] = k;
                break;
            }
        }
    }
}

/* 1 when one of the n adjacent values at x is a NaN: 16-byte vectors of
 * compares OR-ed together (baseline x86-64 has them), the rest one by one. */
static int FN(fn_run_has_nan)(const real *x, ptrdiff_t n) {
    same_int any = 0;
    ptrdiff_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
    typedef real vec __attribute__((vector_size(16), aligned(sizeof(real)), may_alias));
    typedef same_int ivec __attribute__((vector_size(16)));
    enum { V = 16 / sizeof(real) };
    ivec seen0 = {0}, seen1 = {0};  /* two, so that the loads overlap */
    for (; i + 2 * V <= n; i += 2 * V) {
        const vec v0 = *(const vec *)(x + i), v1 = *(const vec *)(x + i + V);
        seen0 |= v0 != v0;
        seen1 |= v1 != v1;
    }
    seen0 |= seen1;
    for (int l = 0; l < V; l++) any |= seen0[l];
#endif
    for (; i < n; i++) any |= x[i] != x[i];
    return any != 0;
}

/* The same for n values s apart. */
static int FN(fn_run_has_nan_strided)(const real *x, ptrdiff_t n, ptrdiff_t s) {
    same_int any = 0;
    for (ptrdiff_t i = 0; i < n; i++) any |= x[i * s] != x[i * s];
    return any != 0;
}

/* 1 when one of the c x h x w values at x (strides s1, s2, s3) is a NaN:
 * one run when they are adjacent (C order or channels-last), else row by row. */
static int FN(fn_has_nan)(const real *x, ptrdiff_t c, ptrdiff_t h, ptrdiff_t w, ptrdiff_t s1,
                          ptrdiff_t s2, ptrdiff_t s3) {
    if ((s3 == 1 && s2 == w && (c == 1 || s1 == h * w)) || (s1 == 1 && s3 == c && s2 == w * c))
        return FN(fn_run_has_nan)(x, c * h * w);
    for (ptrdiff_t ci = 0; ci < c; ci++)
        for (ptrdiff_t y = 0; y < h; y++) {
            const real *row = x + ci * s1 + y * s2;
            if (s3 == 1 ? FN(fn_run_has_nan)(row, w) : FN(fn_run_has_nan_strided)(row, w, s3))
                return 1;
        }
    return 0;
}

/* Every window of one plane xp by the checked loop (a plane holding a NaN):
 * out at o (strides os2, os3), arg_max at a (strides as2, as3). */
static __attribute__((cold, noinline)) void FN(fn_pool_plane_checked)(
    const fn_window *g, const real *xp, const ptrdiff_t xs[4], real *o, ptrdiff_t os2,
    ptrdiff_t os3, int32_t *a, ptrdiff_t as2, ptrdiff_t as3) {
    for (ptrdiff_t oh = 0; oh < g->oh; oh++)
        for (ptrdiff_t ow = 0; ow < g->ow; ow++)
            FN(fn_pool_window_padded)(g, xp, xs, oh * g->stride - g->pad,
                                      ow * g->stride - g->pad, o + oh * os2 + ow * os3,
                                      a + oh * as2 + ow * as3);
}
