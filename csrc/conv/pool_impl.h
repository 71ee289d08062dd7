/* Max pooling forward and backward for one float type (define real and FN
 * first, see im2col_impl.h). The reference pools im2col's patches; here each
 * window is scanned in place, so no patch matrix is ever built. Padding takes
 * part as zeros, like the book's; `>` keeps the first maximum (np.argmax).
 *
 * A window inside the image (all of them without padding) is scanned with no
 * bounds checks and a branch-free compare: the outcome of `v > best` on real
 * data is a coin toss that a branch predictor keeps losing. Only windows that
 * hang over the edge take the checked loop.
 *
 * A NaN wins its window, as in np.argmax: see pool_nan_impl.h.
 *
 * arg_max is int32 (the backends' contract) and the checks refuse windows of
 * 2^31 positions or more, so a window position k fits an int32. */

/* The max of one window lying inside the image, and its first position. */
static inline void FN(fn_pool_window)(ptrdiff_t fh, ptrdiff_t fw, const real *win,
                                      const ptrdiff_t xs[4], real *o, int32_t *a) {
    real best = win[0];
    int32_t at = 0, k = 0;
    for (ptrdiff_t i = 0; i < fh; i++) {
        for (ptrdiff_t j = 0; j < fw; j++, k++) {
            const real v = win[i * xs[2] + j * xs[3]];
            const int gt = v > best;  /* selects, not branches: see above */
            best = gt ? v : best;
            at = gt ? k : at;
        }
    }
    *o = best;
    *a = at;
}

/* The same for a window that hangs over the edge: padding reads as 0. */
static inline void FN(fn_pool_window_padded)(const fn_window *g, const real *xp,
                                             const ptrdiff_t xs[4], ptrdiff_t y0, ptrdiff_t x0,
                                             real *o, int32_t *a) {
    real best = 0;
    ptrdiff_t at = 0, k = 0;
    for (ptrdiff_t i = 0; i < g->fh; i++) {
        const ptrdiff_t y = y0 + i;
        for (ptrdiff_t j = 0; j < g->fw; j++, k++) {
            const ptrdiff_t x = x0 + j;
            const real v = (y >= 0 && y < g->h && x >= 0 && x < g->w)
                               ? xp[y * xs[2] + x * xs[3]] : 0;
            if (k == 0 || v > best || (v != v && best == best)) {  /* the first NaN stays */
                best = v;
                at = k;
            }
        }
    }
    *o = best;
    *a = (int32_t)at;
}

#include "pool_nan_impl.h" /* finding NaNs, and pooling their planes */

/* One output row (oh) of one plane. */
static inline void FN(fn_pool_row)(const fn_window *g, const real *xp, const ptrdiff_t xs[4],
                                   ptrdiff_t oh, real *o, int32_t *a) {
    const ptrdiff_t y0 = oh * g->stride - g->pad;
    const int rows_inside = y0 >= 0 && y0 + g->fh <= g->h;
    for (ptrdiff_t ow = 0; ow < g->ow; ow++) {
        const ptrdiff_t x0 = ow * g->stride - g->pad;
        if (!(rows_inside && x0 >= 0 && x0 + g->fw <= g->w)) {
            FN(fn_pool_window_padded)(g, xp, xs, y0, x0, o + ow, a + ow);
            continue;
        }
        const real *win = xp + y0 * xs[2] + x0 * xs[3];
        FN(fn_pool_window)(g->fh, g->fw, win, xs, o + ow, a + ow);
    }
}

/* 2x2 windows side by side (the book's pooling), window c's four pixels at
 * p0..p3 + c·step in row-major window order: one straight loop over the
 * windows. Two layouts take it: the channels of one output pixel when they
 * are adjacent (step 1), and the windows of one output row at stride 2 when
 * a row's pixels are adjacent (step 2). The position is kept as a real
 * (0, 1, 2, 3), a select of one width that SSE2 vectorizes in float64 too,
 * where an integer position (int64 masks narrowed to int32) left the float64
 * loop scalar, as does a narrowing in the same loop: float64 converts it in
 * a loop of its own, float32 (no narrowing) in the same one. A window holding a NaN is marked 4 on the way; the return value says
 * whether one was, and fn_pool_nan_2x2 then puts those right. */
static inline __attribute__((always_inline)) real FN(fn_pool_2x2_one)(real v0, real v1, real v2,
                                                                     real v3, real *k) {
    real best = v0, at = 0;
    at = v1 > best ? 1 : at;
    best = v1 > best ? v1 : best;
    at = v2 > best ? 2 : at;
    best = v2 > best ? v2 : best;
    at = v3 > best ? 3 : at;
    best = v3 > best ? v3 : best;
    *k = isunordered(v0, v1) | isunordered(v2, v3) ? 4 : at;
    return best;
}

static inline __attribute__((always_inline)) int FN(fn_pool_2x2)(
    ptrdiff_t count, ptrdiff_t step, const real *restrict p0, const real *restrict p1,
    const real *restrict p2, const real *restrict p3, real *restrict o, int32_t *restrict a) {
    int32_t marks = 0;
    if (sizeof(real) == 4) {
        for (ptrdiff_t c = 0; c < count; c++) {
            real k;
            o[c] = FN(fn_pool_2x2_one)(p0[c * step], p1[c * step], p2[c * step], p3[c * step],
                                       &k);
            a[c] = (int32_t)k;
            marks |= (int32_t)k;
        }
        return (marks & 4) != 0;
    }
    for (ptrdiff_t c0 = 0; c0 < count; c0 += 64) {
        const ptrdiff_t cn = count - c0 < 64 ? count - c0 : 64;
        real at[64];
        for (ptrdiff_t c = c0; c < c0 + cn; c++)
            o[c] = FN(fn_pool_2x2_one)(p0[c * step], p1[c * step], p2[c * step], p3[c * step],
                                       at + c - c0);
        for (ptrdiff_t c = 0; c < cn; c++) {
            const int32_t k = (int32_t)at[c];
            a[c0 + c] = k;
            marks |= k;
        }
    }
    return (marks & 4) != 0;
}

/* One output pixel (n, oh, ow) of every channel at once, when channels are
 * adjacent in x, out and arg_max (a convolution's channels-last output): the
 * inner loop runs along the channels, so the compiler vectorizes it. */
static inline __attribute__((always_inline)) void FN(fn_pool_pixel_cl)(
    const fn_window *g, const real *xn, const ptrdiff_t xs[4], ptrdiff_t y0, ptrdiff_t x0,
    real *restrict o, int32_t *restrict a) {
    if (y0 < 0 || y0 + g->fh > g->h || x0 < 0 || x0 + g->fw > g->w) {
        for (ptrdiff_t c = 0; c < g->c; c++)  /* over the edge: the checked loop */
            FN(fn_pool_window_padded)(g, xn + c, xs, y0, x0, o + c, a + c);
        return;
    }
    const real *win = xn + y0 * xs[2] + x0 * xs[3];
    if (g->fh == 2 && g->fw == 2) {
        const real *p0 = win, *p1 = win + xs[3], *p2 = win + xs[2], *p3 = win + xs[2] + xs[3];
        if (FN(fn_pool_2x2)(g->c, 1, p0, p1, p2, p3, o, a))
            FN(fn_pool_nan_2x2)(g->c, 1, p0, p1, p2, p3, o, a);
        return;
    }
    /* 64 channels at a time in local arrays. The position is selected with a
     * bit mask of real's width (same_int: int32_t or int64_t), a form GCC
     * vectorizes with SSE2 alone; a `gt ? k : at` select would need AVX. */
    for (ptrdiff_t c0 = 0; c0 < g->c; c0 += 64) {
        const ptrdiff_t cn = g->c - c0 < 64 ? g->c - c0 : 64;
        real best[64];
        same_int at[64];
        for (ptrdiff_t c = 0; c < cn; c++) {
            best[c] = win[c0 + c];
            at[c] = 0;
        }
        same_int k = 0;
        for (ptrdiff_t i = 0; i < g->fh; i++) {
            for (ptrdiff_t j = 0; j < g->fw; j++, k++) {
                const real *src = win + i * xs[2] + j * xs[3] + c0;
                for (ptrdiff_t c = 0; c < cn; c++) {
                    const real v = src[c], b = best[c];
                    const same_int mask = -(same_int)(v > b);
                    best[c] = v > b ? v : b;
                    at[c] = (at[c] & ~mask) | (k & mask);
                }
            }
        }
        for (ptrdiff_t c = 0; c < cn; c++) {
            o[c0 + c] = best[c];
            a[c0 + c] = (int32_t)at[c];
        }
    }
}

/* One image xn whose channels are adjacent in x, out and arg_max: its out
 * and arg_max at on and an. */
static inline __attribute__((always_inline)) void FN(fn_pool_image_cl_body)(
    const fn_window *g, const real *xn, const ptrdiff_t xs[4], real *on, const ptrdiff_t os[4],
    int32_t *an, const ptrdiff_t as[4]) {
    /* 2x2 windows mark their NaNs themselves (fn_pool_2x2) */
    if (!(g->fh == 2 && g->fw == 2) && FN(fn_has_nan)(xn, g->c, g->h, g->w, 1, xs[2], xs[3])) {
        for (ptrdiff_t c = 0; c < g->c; c++)
            FN(fn_pool_plane_checked)(g, xn + c, xs, on + c, os[2], os[3], an + c, as[2], as[3]);
        return;
    }
    for (ptrdiff_t oh = 0; oh < g->oh; oh++)
        for (ptrdiff_t ow = 0; ow < g->ow; ow++)
            FN(fn_pool_pixel_cl)(g, xn, xs, oh * g->stride - g->pad, ow * g->stride - g->pad,
                                 on + oh * os[2] + ow * os[3], an + oh * as[2] + ow * as[3]);
}

/* The body compiled for any x86-64 and, as im2col's rows are (im2col_impl.h),
 * for AVX2 where the CPU has it: twice the channels per vector, and blends
 * in one instruction, more than pay for marking NaNs in the 2x2 loop. */
static __attribute__((noinline)) void FN(fn_pool_image_cl)(const fn_window *g, const real *xn,
                                                           const ptrdiff_t xs[4], real *on,
                                                           const ptrdiff_t os[4], int32_t *an,
                                                           const ptrdiff_t as[4]) {
    FN(fn_pool_image_cl_body)(g, xn, xs, on, os, an, as);
}
#ifdef FN_IM2COL_AVX2
static __attribute__((noinline, target("avx2"))) void FN_AT(fn_pool_image_cl, avx2)(
    const fn_window *g, const real *xn, const ptrdiff_t xs[4], real *on, const ptrdiff_t os[4],
    int32_t *an, const ptrdiff_t as[4]) {
    FN(fn_pool_image_cl_body)(g, xn, xs, on, os, an, as);
}
#endif

/* One plane xp, its out and arg_max at op and ap (C order). */
static inline __attribute__((always_inline)) void FN(fn_pool_plane_body)(
    const fn_window *g, const real *xp, const ptrdiff_t xs[4], real *op, int32_t *ap) {
    if (g->fh == 2 && g->fw == 2 && g->stride == 2 && g->pad == 0 && xs[3] == 1) {
        /* the book's windows along rows of adjacent pixels: a row at a time */
        for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
            const real *r0 = xp + 2 * oh * xs[2], *r1 = r0 + xs[2];
            real *o = op + oh * g->ow;
            int32_t *a = ap + oh * g->ow;
            if (FN(fn_pool_2x2)(g->ow, 2, r0, r0 + 1, r1, r1 + 1, o, a))
                FN(fn_pool_nan_2x2)(g->ow, 2, r0, r0 + 1, r1, r1 + 1, o, a);
        }
        return;
    }
    if (FN(fn_has_nan)(xp, 1, g->h, g->w, 0, xs[2], xs[3])) {
        FN(fn_pool_plane_checked)(g, xp, xs, op, g->ow, 1, ap, g->ow, 1);
        return;
    }
    for (ptrdiff_t oh = 0; oh < g->oh; oh++)
        FN(fn_pool_row)(g, xp, xs, oh, op + oh * g->ow, ap + oh * g->ow);
}

static __attribute__((noinline)) void FN(fn_pool_plane)(const fn_window *g, const real *xp,
                                                        const ptrdiff_t xs[4], real *op,
                                                        int32_t *ap) {
    FN(fn_pool_plane_body)(g, xp, xs, op, ap);
}
#ifdef FN_IM2COL_AVX2
static __attribute__((noinline, target("avx2"))) void FN_AT(fn_pool_plane, avx2)(
    const fn_window *g, const real *xp, const ptrdiff_t xs[4], real *op, int32_t *ap) {
    FN(fn_pool_plane_body)(g, xp, xs, op, ap);
}
#endif

void FN(fn_max_pool_forward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                             real *out, const ptrdiff_t os[4], int32_t *arg_max,
                             const ptrdiff_t as[4]) {
    const int nt = fn_threads_for((size_t)(g->n * g->c * g->oh * g->ow * g->fh * g->fw));
    if (xs[1] == 1 && os[1] == 1 && as[1] == 1) {
        void (*image)(const fn_window *, const real *, const ptrdiff_t *, real *,
                      const ptrdiff_t *, int32_t *, const ptrdiff_t *) = FN(fn_pool_image_cl);
#ifdef FN_IM2COL_AVX2
        if (fn_simd_level() >= FN_AVX2) image = FN_AT(fn_pool_image_cl, avx2);
#endif
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
        for (ptrdiff_t n = 0; n < g->n; n++)
            image(g, x + n * xs[0], xs, out + n * os[0], os, arg_max + n * as[0], as);
        return;
    }
    /* out and arg_max C order here (backend/cython/conv.py allocates them so) */
    const ptrdiff_t planes = g->n * g->c, size = g->oh * g->ow;
    void (*plane)(const fn_window *, const real *, const ptrdiff_t *, real *, int32_t *) =
        FN(fn_pool_plane);
#ifdef FN_IM2COL_AVX2
    if (fn_simd_level() >= FN_AVX2) plane = FN_AT(fn_pool_plane, avx2);
#endif
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t p = 0; p < planes; p++)
        plane(g, x + (p / g->c) * xs[0] + (p % g->c) * xs[1], xs, out + p * size,
              arg_max + p * size);
}

/* dx += dout[n, c, oh, ow] at the window position `at` (dropped in the padding). */
static inline void FN(fn_pool_route)(const fn_window *g, ptrdiff_t oh, ptrdiff_t ow, int32_t at,
                                     real v, real *dp, const ptrdiff_t ds[4]) {
    /* a 2x2 pool's at / 2 and at % 2 are shifts once the test is hoisted */
    const ptrdiff_t i = g->fw == 2 ? at >> 1 : at / g->fw;
    const ptrdiff_t j = g->fw == 2 ? at & 1 : at % g->fw;
    const ptrdiff_t y = oh * g->stride - g->pad + i, x = ow * g->stride - g->pad + j;
    if (g->pad == 0 || (y >= 0 && y < g->h && x >= 0 && x < g->w)) dp[y * ds[2] + x * ds[3]] += v;
}

/* dx[window pixel k, c] += d[c] where a[c] == k, for every channel of one
 * window lying inside the image (dw: its top-left pixel, channels adjacent;
 * d's channels dcs apart). With accumulate 0 the window's pixels are set
 * instead (d[c] or 0): no zeroing pass first, where windows do not overlap. */
static inline void FN(fn_pool_unpixel_cl)(const fn_window *g, const real *restrict d,
                                          ptrdiff_t dcs, const int32_t *restrict a,
                                          real *restrict dw, const ptrdiff_t ds[4],
                                          int accumulate) {
    int32_t k = 0;
    for (ptrdiff_t i = 0; i < g->fh; i++) {
        for (ptrdiff_t j = 0; j < g->fw; j++, k++) {
            real *restrict dst = dw + i * ds[2] + j * ds[3];
            for (ptrdiff_t c = 0; c < g->c; c++) {
                /* d's bits masked, not `a[c] == k ? d[c] : 0`, which GCC
                 * compiled to a mispredicted branch */
                same_int bits;
                real v;
                memcpy(&bits, d + c * dcs, sizeof bits);
                bits &= -(same_int)(a[c] == k);
                memcpy(&v, &bits, sizeof v);
                dst[c] = accumulate ? dst[c] + v : v;
            }
        }
    }
}

/* Image dn := its gradient routed back from the image's pooled gradient d:
 * d[c, oh, ow] (strides os) at each window's arg_max (a, strides as), 0
 * elsewhere; overlapping windows add up, routes into the padding vanish.
 * The image is zeroed here, not by the caller, because the book's windows
 * (2x2, stride 2) tile it: each of their pixels is then set once and only
 * rows and columns no window covers need zeros, instead of a zeroing pass
 * and a read-modify-write of every pixel. */
static void FN(fn_max_pool_backward_image)(const fn_window *g, const real *d,
                                           const ptrdiff_t os[4], const int32_t *a,
                                           const ptrdiff_t as[4], real *dn,
                                           const ptrdiff_t ds[4]) {
    if (ds[1] == 1 && as[1] == 1 && g->pad == 0) {
        /* channels adjacent everywhere and every window inside the image:
         * each window pixel takes d where arg_max points at it and 0
         * elsewhere, a select along the channels that vectorizes, where
         * routing one value at a time (below) does not. d may be C order
         * (SimpleConvNet's, from its Affine). */
        const int tiled = g->stride == g->fh && g->stride == g->fw;
        const ptrdiff_t covered_h = tiled ? g->oh * g->fh : 0;
        const ptrdiff_t covered_w = tiled ? g->ow * g->fw : 0;
        for (ptrdiff_t y = 0; y < g->h; y++)
            for (ptrdiff_t x = y < covered_h ? covered_w : 0; x < g->w; x++)
                for (ptrdiff_t c = 0; c < g->c; c++) dn[y * ds[2] + x * ds[3] + c] = 0;
        for (ptrdiff_t oh = 0; oh < g->oh; oh++)
            for (ptrdiff_t ow = 0; ow < g->ow; ow++)
                FN(fn_pool_unpixel_cl)(g, d + oh * os[2] + ow * os[3], os[1],
                                       a + oh * as[2] + ow * as[3],
                                       dn + oh * g->stride * ds[2] + ow * g->stride * ds[3],
                                       ds, !tiled);
        return;
    }
    FN(fn_image_zero)(g, dn, ds);  /* col2im_impl.h */
    if (ds[1] == 1) {
        /* channels-last dx: channels innermost, so each window's pixels are
         * written together instead of one channel plane at a time */
        for (ptrdiff_t oh = 0; oh < g->oh; oh++)
            for (ptrdiff_t ow = 0; ow < g->ow; ow++)
                for (ptrdiff_t c = 0; c < g->c; c++)
                    FN(fn_pool_route)(g, oh, ow, a[c * as[1] + oh * as[2] + ow * as[3]],
                                      d[c * os[1] + oh * os[2] + ow * os[3]], dn + c, ds);
        return;
    }
    for (ptrdiff_t c = 0; c < g->c; c++)
        for (ptrdiff_t oh = 0; oh < g->oh; oh++)
            for (ptrdiff_t ow = 0; ow < g->ow; ow++)
                FN(fn_pool_route)(g, oh, ow, a[c * as[1] + oh * as[2] + ow * as[3]],
                                  d[c * os[1] + oh * os[2] + ow * os[3]], dn + c * ds[1], ds);
}

void FN(fn_max_pool_backward)(const fn_window *g, const real *dout, const ptrdiff_t os[4],
                              const int32_t *arg_max, const ptrdiff_t as[4], real *dx,
                              const ptrdiff_t ds[4]) {
    /* threads take whole images: overlapping windows add into their own pixels */
    const int nt = fn_threads_for((size_t)(g->n * g->c * g->oh * g->ow));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_max_pool_backward_image)(g, dout + n * os[0], os, arg_max + n * as[0], as,
                                       dx + n * ds[0], ds);
}
