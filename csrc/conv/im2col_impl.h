/* im2col and col2im for one float type. Before including, define
 *   real      the element type (float or double)
 *   same_int  an integer type as wide as real
 *   FN(x)     the type's name suffix, x##_f32 or x##_f64
 *
 * The reference copies one filter offset (i, j) for all positions at a time
 * (FH·FW strided slices of the whole batch, then a transposing copy). Here
 * im2col writes each row of col (one window) front to back, one run of fw
 * adjacent pixels per (c, i), so the stores stream; col2im at stride 1
 * gathers: each pixel of dx is the sum of the col entries that land on it,
 * written once. Threads take whole images (their rows of col and pixels of
 * dx are theirs alone, so col2im's sums need no locks). Measured on 1 thread
 * of an AMD EPYC, batch 100; the numbers are in the comments below. */

/* For each filter column j, the output columns ow in [lo[j], hi[j]) whose
 * pixel lands inside the image: 0 <= ow·stride + j - pad < w. Computed once
 * per output row: the divisions would otherwise dominate the copying. */
static inline void FN(fn_inside)(const fn_window *g, ptrdiff_t *lo, ptrdiff_t *hi) {
    for (ptrdiff_t j = 0; j < g->fw; j++) {
        const ptrdiff_t first = g->pad - j, last = g->w - 1 + g->pad - j;
        lo[j] = first <= 0 ? 0 : (first + g->stride - 1) / g->stride;
        hi[j] = last < 0 ? 0 : last / g->stride + 1;
        if (hi[j] > g->ow) hi[j] = g->ow;
        if (lo[j] > hi[j]) lo[j] = hi[j];
    }
}

/* d[0..v) := s[0..v), unaligned. A 32-byte vector type, not memcpy: GCC's
 * memcpy of 32 bytes is two 16-byte moves even where AVX2 is enabled. */
#if defined(__GNUC__) || defined(__clang__)
typedef real FN(fn_vec32) __attribute__((vector_size(32), aligned(sizeof(real)), may_alias));
#endif
static inline __attribute__((always_inline)) void FN(fn_move)(real *d, const real *s,
                                                              ptrdiff_t v) {
#if defined(__GNUC__) || defined(__clang__)
    if (v * (ptrdiff_t)sizeof(real) == 32) {
        *(FN(fn_vec32) *)d = *(const FN(fn_vec32) *)s;
        return;
    }
#endif
    memcpy(d, s, (size_t)v * sizeof(real));
}

/* d[0..v) := 0, as fn_move. */
static inline __attribute__((always_inline)) void FN(fn_zero)(real *d, ptrdiff_t v) {
#if defined(__GNUC__) || defined(__clang__)
    if (v * (ptrdiff_t)sizeof(real) == 32) {
        *(FN(fn_vec32) *)d = (FN(fn_vec32)){0};
        return;
    }
#endif
    memset(d, 0, (size_t)v * sizeof(real));
}

/* The OW rows of col for output row oh of image xn, columns in (c, i, j) order,
 * each row written front to back (the caches then stream the stores), one run
 * of fw values per (c, i); the windows reach into the image's rows
 * (fn_patch_rows zeroes the others). Inlined where fh, fw and v are literals:
 * - a window wholly inside the image, its pixels adjacent (xs[3] == 1), copies
 *   each run as a few whole-register moves instead of a loop;
 * - with v > fw (fw rounded up to a register) each run moves v values and the
 *   next run overwrites the extra ones: 3 float32 values are then one 16-byte
 *   move, not an 8- and a 4-byte one. Only where that reads inside the image
 *   row (ow·stride - pad + v <= w) and the overhang (up to v - 1 values past
 *   a run) lands in the next row, written after this one (so not from the
 *   last, ow = OW - 1) and long enough to take it (fn_patch_rows);
 * - the others (windows over the edge, strided pixels) value by value, zeros
 *   for the padding. */
static inline __attribute__((always_inline)) void FN(fn_patch_rows_fw)(
    const fn_window *g, const real *xn, const ptrdiff_t xs[4], ptrdiff_t oh, real *rows,
    ptrdiff_t fh, ptrdiff_t fw, ptrdiff_t v) {
    /* locals, not g->: the compiler cannot tell that the stores leave g alone */
    const ptrdiff_t c_n = g->c, h = g->h, w = g->w, stride = g->stride, pad = g->pad;
    const ptrdiff_t ow_n = g->ow, xs1 = xs[1], xs2 = xs[2], xs3 = xs[3];
    const ptrdiff_t y0 = oh * stride - pad;
    ptrdiff_t i_lo = -y0, i_hi = h - y0;  /* image rows y0 + i inside, the others padding */
    if (i_lo < 0) i_lo = 0;
    if (i_hi > fh) i_hi = fh;
    if (i_hi < i_lo) i_hi = i_lo;
    /* windows [whole_lo, whole_hi) lie inside the width: 0 <= x0, x0 + fw <= w */
    const ptrdiff_t whole_lo = (pad + stride - 1) / stride;
    ptrdiff_t whole_hi = w + pad - fw < 0 ? 0 : (w + pad - fw) / stride + 1;
    if (whole_hi > ow_n) whole_hi = ow_n;
    if (xs3 != 1) whole_hi = 0;  /* no runs */
    ptrdiff_t wide = w + pad - v < 0 ? 0 : (w + pad - v) / stride + 1;
    if (wide > ow_n - 1) wide = ow_n - 1;
    if (wide > whole_hi) wide = whole_hi;
    if (v == fw || i_lo > 0 || i_hi < fh) wide = 0;
    real *d = rows;
    for (ptrdiff_t ow = 0; ow < ow_n; ow++) {
        const ptrdiff_t x0 = ow * stride - pad;
        const real *src = xn + y0 * xs2 + x0 * xs3;
        if (ow >= whole_lo && ow < wide) {
            for (ptrdiff_t c = 0; c < c_n; c++, src += xs1)
                for (ptrdiff_t i = 0; i < fh; i++, d += fw)
                    FN(fn_move)(d, src + i * xs2, v);
            continue;
        }
        const ptrdiff_t shift = x0 < 0 ? -x0 : 0;  /* padding columns on the left */
        if (xs3 == 1 && v > fw && ow < ow_n - 1 && shift < fw && x0 + fw <= w &&
            x0 + shift + v <= w) {  /* padding rows, or over the left edge: still v wide */
            for (ptrdiff_t c = 0; c < c_n; c++, src += xs1) {
                ptrdiff_t i = 0;
                for (; i < i_lo; i++, d += fw) FN(fn_zero)(d, v);
                for (; i < i_hi; i++, d += fw) {
                    for (ptrdiff_t j = 0; j < shift; j++) d[j] = 0;
                    FN(fn_move)(d + shift, src + shift + i * xs2, v);
                }
                for (; i < fh; i++, d += fw) FN(fn_zero)(d, v);
            }
            continue;
        }
        const int whole = ow >= whole_lo && ow < whole_hi;
        for (ptrdiff_t c = 0; c < c_n; c++, src += xs1) {
            ptrdiff_t i = 0;
            for (; i < i_lo; i++, d += fw) memset(d, 0, (size_t)fw * sizeof(real));
            for (; i < i_hi; i++, d += fw) {
                const real *s = src + i * xs2;
                if (whole) {
                    memcpy(d, s, (size_t)fw * sizeof(real));
                    continue;
                }
                for (ptrdiff_t j = 0; j < fw; j++)
                    d[j] = x0 + j >= 0 && x0 + j < w ? s[j * xs3] : 0;
            }
            for (; i < fh; i++, d += fw) memset(d, 0, (size_t)fw * sizeof(real));
        }
    }
}

/* One function per usual filter size (square 3x3 and 5x5, or the width alone),
 * kept apart so that each gets the registers to itself. v: fw rounded up to 16
 * bytes where that saves a move. Where the CPU has AVX2 (fn_simd_level,
 * FASTNET_SIMD=portable turns it off), the same code compiled for
 * it moves 32 bytes at once: 5 float32 values or 3 float64 values are then one
 * move. */
#define FN_PATCH_ROWS(NAME, ATTRIBUTES, FH, FW, V)                                           \
    static __attribute__(ATTRIBUTES) void NAME(const fn_window *g, const real *xn,           \
                                               const ptrdiff_t xs[4], ptrdiff_t oh,          \
                                               real *rows) {                                 \
        FN(fn_patch_rows_fw)(g, xn, xs, oh, rows, FH, FW, V);                                \
    }
FN_PATCH_ROWS(FN(fn_patch_rows_3x3), (noinline), 3, 3, sizeof(real) == 4 ? 4 : 3)
FN_PATCH_ROWS(FN(fn_patch_rows_5x5), (noinline), 5, 5, 5)
FN_PATCH_ROWS(FN(fn_patch_rows_w1), (noinline), g->fh, 1, 1)
FN_PATCH_ROWS(FN(fn_patch_rows_w2), (noinline), g->fh, 2, 2)
FN_PATCH_ROWS(FN(fn_patch_rows_w3), (noinline), g->fh, 3, sizeof(real) == 4 ? 4 : 3)
FN_PATCH_ROWS(FN(fn_patch_rows_w5), (noinline), g->fh, 5, 5)
FN_PATCH_ROWS(FN(fn_patch_rows_w7), (noinline), g->fh, 7, 8)
FN_PATCH_ROWS(FN(fn_patch_rows_any), (noinline), g->fh, g->fw, g->fw)
#if defined(FASTNET_X86) && (defined(__GNUC__) || defined(__clang__))
#define FN_IM2COL_AVX2 1
FN_PATCH_ROWS(FN_AT(fn_patch_rows_3x3, avx2), (noinline, target("avx2")), 3, 3, 4)
FN_PATCH_ROWS(FN_AT(fn_patch_rows_5x5, avx2), (noinline, target("avx2")), 5, 5,
              sizeof(real) == 4 ? 8 : 5)
FN_PATCH_ROWS(FN_AT(fn_patch_rows_w3, avx2), (noinline, target("avx2")), g->fh, 3, 4)
FN_PATCH_ROWS(FN_AT(fn_patch_rows_w5, avx2), (noinline, target("avx2")), g->fh, 5,
              sizeof(real) == 4 ? 8 : 5)
FN_PATCH_ROWS(FN_AT(fn_patch_rows_w7, avx2), (noinline, target("avx2")), g->fh, 7, 8)
#endif
#undef FN_PATCH_ROWS

static inline void FN(fn_patch_rows)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                     ptrdiff_t oh, real *rows) {
    const ptrdiff_t fh = g->fh, fw = g->fw, y0 = oh * g->stride - g->pad;
    if (y0 + fh <= 0 || y0 >= g->h) {  /* windows wholly above or below the image: zeros */
        memset(rows, 0, (size_t)(g->ow * g->c * fh * fw) * sizeof(real));
        return;
    }
    if (g->c * fh * fw < 7) {  /* rows too short for the widened moves' overhang (v <= 8) */
        FN(fn_patch_rows_any)(g, xn, xs, oh, rows);
        return;
    }
#ifdef FN_IM2COL_AVX2
    if (fn_simd_level() >= FN_AVX2) {
        if (fh == 3 && fw == 3) FN_AT(fn_patch_rows_3x3, avx2)(g, xn, xs, oh, rows);
        else if (fh == 5 && fw == 5) FN_AT(fn_patch_rows_5x5, avx2)(g, xn, xs, oh, rows);
        else if (fw == 3) FN_AT(fn_patch_rows_w3, avx2)(g, xn, xs, oh, rows);
        else if (fw == 5) FN_AT(fn_patch_rows_w5, avx2)(g, xn, xs, oh, rows);
        else if (fw == 7) FN_AT(fn_patch_rows_w7, avx2)(g, xn, xs, oh, rows);
        if (fw == 3 || fw == 5 || fw == 7) return;
    }
#endif
    if (fh == 3 && fw == 3) FN(fn_patch_rows_3x3)(g, xn, xs, oh, rows);
    else if (fh == 5 && fw == 5) FN(fn_patch_rows_5x5)(g, xn, xs, oh, rows);
    else if (fw == 1) FN(fn_patch_rows_w1)(g, xn, xs, oh, rows);
    else if (fw == 2) FN(fn_patch_rows_w2)(g, xn, xs, oh, rows);
    else if (fw == 3) FN(fn_patch_rows_w3)(g, xn, xs, oh, rows);
    else if (fw == 5) FN(fn_patch_rows_w5)(g, xn, xs, oh, rows);
    else if (fw == 7) FN(fn_patch_rows_w7)(g, xn, xs, oh, rows);
    else FN(fn_patch_rows_any)(g, xn, xs, oh, rows);
}

/* All rows of one image, patches in (c, i, j) or, channels_last, (i, j, c) order. */
static void FN(fn_image_patches)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                 int channels_last, real *row);

void FN(fn_im2col)(const fn_window *g, const real *x, const ptrdiff_t xs[4], int channels_last,
                   real *col) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_image_patches)(g, x + n * xs[0], xs, channels_last, col + n * rows * k);
}

/* The OW rows of col for output row oh added back into image dn, (c, i, j) order. */
static inline void FN(fn_unpatch_rows)(const fn_window *g, const real *rows, ptrdiff_t oh,
                                       real *dn, const ptrdiff_t ds[4]) {
    const ptrdiff_t k = g->c * g->fh * g->fw, step = g->stride * ds[3];
    ptrdiff_t lo[g->fw], hi[g->fw];
    FN(fn_inside)(g, lo, hi);
    const real *v = rows;
    for (ptrdiff_t c = 0; c < g->c; c++) {
        for (ptrdiff_t i = 0; i < g->fh; i++) {
            const ptrdiff_t y = oh * g->stride - g->pad + i;
            if (y < 0 || y >= g->h) {  /* padding: dropped */
                v += g->fw;
                continue;
            }
            real *dst = dn + c * ds[1] + y * ds[2];
            for (ptrdiff_t j = 0; j < g->fw; j++, v++) {
                real *t = dst + (j - g->pad) * ds[3];
                for (ptrdiff_t ow = lo[j]; ow < hi[j]; ow++) t[ow * step] += v[ow * k];
            }
        }
    }
}

/* All rows of one image added back, (c, i, j) or, channels_last, (i, j, c) order. */
static void FN(fn_image_unpatches)(const fn_window *g, const real *row, int channels_last,
                                   real *dn, const ptrdiff_t ds[4]);

/* The same two for images whose channels are adjacent in memory (xs[1] == 1:
 * a convolution's channels-last output), with the patch columns in (i, j, c)
 * order instead of (c, i, j): each filter offset is then one contiguous run
 * of c values, copied whole, where (c, i, j) order would copy c·fh runs of
 * fw values with stride c. Only the fused convolution below uses this order
 * (it permutes W to match); the public im2col keeps the book's. */

static inline void FN(fn_patch_cl)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                   ptrdiff_t y0, ptrdiff_t x0, real *row) {
    const ptrdiff_t c = g->c;
    const int inside_w = x0 >= 0 && x0 + g->fw <= g->w;
    for (ptrdiff_t i = 0; i < g->fh; i++, row += g->fw * c) {
        const ptrdiff_t y = y0 + i;
        if (y < 0 || y >= g->h) {
            memset(row, 0, (size_t)(g->fw * c) * sizeof(real));
            continue;
        }
        const real *src = xn + y * xs[2];
        if (inside_w && xs[3] == c) {  /* the fw pixels' channels are one run */
            memcpy(row, src + x0 * c, (size_t)(g->fw * c) * sizeof(real));
            continue;
        }
        for (ptrdiff_t j = 0; j < g->fw; j++) {
            const ptrdiff_t x = x0 + j;
            if (x >= 0 && x < g->w)
                memcpy(row + j * c, src + x * xs[3], (size_t)c * sizeof(real));
            else
                memset(row + j * c, 0, (size_t)c * sizeof(real));
        }
    }
}

static void FN(fn_image_patches)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                 int channels_last, real *row) {
    const ptrdiff_t k = g->c * g->fh * g->fw;
    for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
        if (!channels_last) {
            FN(fn_patch_rows)(g, xn, xs, oh, row);
            row += g->ow * k;
            continue;
        }
        for (ptrdiff_t ow = 0; ow < g->ow; ow++, row += k)
            FN(fn_patch_cl)(g, xn, xs, oh * g->stride - g->pad, ow * g->stride - g->pad, row);
    }
}

/* One row of col, (i, j, c) order, added back into one image dn (ds[1] == 1). */
static inline void FN(fn_unpatch_cl)(const fn_window *g, const real *v, ptrdiff_t y0,
                                     ptrdiff_t x0, real *dn, const ptrdiff_t ds[4]) {
    const ptrdiff_t c = g->c;
    for (ptrdiff_t i = 0; i < g->fh; i++) {
        const ptrdiff_t y = y0 + i;
        for (ptrdiff_t j = 0; j < g->fw; j++, v += c) {
            const ptrdiff_t xx = x0 + j;
            if (y < 0 || y >= g->h || xx < 0 || xx >= g->w) continue;
            real *dst = dn + y * ds[2] + xx * ds[3];
            for (ptrdiff_t ch = 0; ch < c; ch++) dst[ch] += v[ch];
        }
    }
}

static void FN(fn_image_unpatches)(const fn_window *g, const real *row, int channels_last,
                                   real *dn, const ptrdiff_t ds[4]) {
    const ptrdiff_t k = g->c * g->fh * g->fw;
    for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
        if (!channels_last) {
            FN(fn_unpatch_rows)(g, row, oh, dn, ds);
            row += g->ow * k;
            continue;
        }
        for (ptrdiff_t ow = 0; ow < g->ow; ow++, row += k)
            FN(fn_unpatch_cl)(g, row, oh * g->stride - g->pad, ow * g->stride - g->pad, dn, ds);
    }
}

#include "col2im_impl.h" /* the public col2im: gathers, or these scatters */
