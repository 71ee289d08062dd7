/* Max pooling forward and backward for one float type (define real and FN
 * first, see im2col_impl.h). The reference pools im2col's patches; here each
 * window is scanned in place, so no patch matrix is ever built. Padding takes
 * part as zeros, like the book's; `>` keeps the first maximum (np.argmax).
 *
 * A window inside the image (all of them without padding) is scanned with no
 * bounds checks and a branch-free compare: the outcome of `v > best` on real
 * data is a coin toss that a branch predictor keeps losing. Only windows that
 * hang over the edge take the checked loop. */

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
    int32_t at = 0, k = 0;
    for (ptrdiff_t i = 0; i < g->fh; i++) {
        const ptrdiff_t y = y0 + i;
        for (ptrdiff_t j = 0; j < g->fw; j++, k++) {
            const ptrdiff_t x = x0 + j;
            const real v = (y >= 0 && y < g->h && x >= 0 && x < g->w)
                               ? xp[y * xs[2] + x * xs[3]] : 0;
            if (k == 0 || v > best) {
                best = v;
                at = k;
            }
        }
    }
    *o = best;
    *a = at;
}

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

/* A 2x2 window of every channel (the book's pooling), its four pixels' channel
 * runs p0..p3 in row-major window order: one straight loop along the
 * channels. The position is kept as a real (0, 1, 2, 3), a select of one
 * width that SSE2 vectorizes in float64 too, where an integer position
 * (int64 masks narrowed to int32) left the float64 loop scalar, as does a
 * narrowing in the same loop. DeepConvNet's
 * first pooling (16 channels, batch 100, 1 thread) took 1.0-1.4 ms in the
 * general loop below and 0.25 ms here in float32; at 32 and 64 channels
 * float64 took 0.36 and 0.2 ms with the integer position, 0.19 and 0.11 here. */
static inline void FN(fn_pool_pixel_2x2)(ptrdiff_t channels, const real *restrict p0,
                                         const real *restrict p1, const real *restrict p2,
                                         const real *restrict p3, real *restrict o,
                                         int32_t *restrict a) {
    for (ptrdiff_t c0 = 0; c0 < channels; c0 += 64) {
        const ptrdiff_t cn = channels - c0 < 64 ? channels - c0 : 64;
        real at[64];  /* converted in a loop of its own: see above */
        for (ptrdiff_t c = c0; c < c0 + cn; c++) {
            real best = p0[c], k = 0;
            k = p1[c] > best ? 1 : k;
            best = p1[c] > best ? p1[c] : best;
            k = p2[c] > best ? 2 : k;
            best = p2[c] > best ? p2[c] : best;
            k = p3[c] > best ? 3 : k;
            best = p3[c] > best ? p3[c] : best;
            o[c] = best;
            at[c - c0] = k;
        }
        for (ptrdiff_t c = 0; c < cn; c++) a[c0 + c] = (int32_t)at[c];
    }
}

/* One output pixel (n, oh, ow) of every channel at once, when channels are
 * adjacent in x, out and arg_max (a convolution's channels-last output): the
 * inner loop runs along the channels, so the compiler vectorizes it. */
static inline void FN(fn_pool_pixel_cl)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                        ptrdiff_t y0, ptrdiff_t x0, real *restrict o,
                                        int32_t *restrict a) {
    if (y0 < 0 || y0 + g->fh > g->h || x0 < 0 || x0 + g->fw > g->w) {
        for (ptrdiff_t c = 0; c < g->c; c++)  /* over the edge: the checked loop */
            FN(fn_pool_window_padded)(g, xn + c, xs, y0, x0, o + c, a + c);
        return;
    }
    const real *win = xn + y0 * xs[2] + x0 * xs[3];
    if (g->fh == 2 && g->fw == 2) {
        FN(fn_pool_pixel_2x2)(g->c, win, win + xs[3], win + xs[2], win + xs[2] + xs[3], o, a);
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

void FN(fn_max_pool_forward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                             real *out, const ptrdiff_t os[4], int32_t *arg_max,
                             const ptrdiff_t as[4]) {
    const int nt = fn_threads_for((size_t)(g->n * g->c * g->oh * g->ow * g->fh * g->fw));
    if (xs[1] == 1 && os[1] == 1 && as[1] == 1) {
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
        for (ptrdiff_t n = 0; n < g->n; n++)
            for (ptrdiff_t oh = 0; oh < g->oh; oh++)
                for (ptrdiff_t ow = 0; ow < g->ow; ow++)
                    FN(fn_pool_pixel_cl)(g, x + n * xs[0], xs, oh * g->stride - g->pad,
                                         ow * g->stride - g->pad,
                                         out + n * os[0] + oh * os[2] + ow * os[3],
                                         arg_max + n * as[0] + oh * as[2] + ow * as[3]);
        return;
    }
    /* out and arg_max C order here (compiled_conv allocates them so) */
    const ptrdiff_t planes = g->n * g->c, size = g->oh * g->ow;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t p = 0; p < planes; p++) {
        const real *xp = x + (p / g->c) * xs[0] + (p % g->c) * xs[1];
        for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
            real *o = out + p * size + oh * g->ow;
            int32_t *a = arg_max + p * size + oh * g->ow;
            FN(fn_pool_row)(g, xp, xs, oh, o, a);
        }
    }
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
                 * compiled to a mispredicted branch (3.8 ms instead of 0.5) */
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
         * routing one value at a time (below) does not: 0.48 -> 0.36 ms for
         * DeepConvNet's first pooling in float32, 1.0-1.2 -> 1.0 in float64.
         * d may be C order (SimpleConvNet's, from its Affine): 1.5 -> 1.0
         * ms there in float64, float32 unchanged (0.55-0.7 ms, mostly dx's zeros). */
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
