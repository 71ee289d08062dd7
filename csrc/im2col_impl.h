/* im2col and col2im for one float type. Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the type's name suffix, x##_f32 or x##_f64
 *
 * The reference copies one filter offset (i, j) for all positions at a time
 * (FH·FW strided slices of the whole batch, then a transposing copy). Here
 * the same idea runs on one output row (oh) at a time: its OW rows of col
 * (OW·C·FH·FW values, a few KiB, in L1) are filled one column (c, i, j) at a
 * time from one contiguous run of the image, so nothing leaves the cache
 * before it is finished. Threads take whole images (their rows of col and
 * pixels of dx are theirs alone, so col2im's sums need no locks). */

#include "elementwise.h" /* fn_elementwise_simd: which SIMD width the copies may use */

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

/* The OW rows of col for output row oh of image xn, columns in (c, i, j) order,
 * each row written front to back (the caches then stream the stores), one run
 * of fw values per (c, i). Inlined where fh, fw and v are literals:
 * - a window wholly inside the image, its pixels adjacent (xs[3] == 1), copies
 *   each run as a few whole-register moves instead of a loop;
 * - with v > fw (fw rounded up to a register) each run moves v values and the
 *   next run overwrites the extra ones: 3 float32 values are then one 16-byte
 *   move, not an 8- and a 4-byte one. Only where that reads inside the image
 *   row (ow·stride - pad + v <= w) and the overhang lands in a row written
 *   after this one (not the last, ow = OW - 1);
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
 * bytes where that saves a move. Where the CPU has AVX2 (fn_elementwise_simd,
 * FASTNET_ELEMENTWISE_SIMD=portable turns it off), the same code compiled for
 * it moves 32 bytes at once: 5 float32 values or 3 float64 values are then one
 * move (SimpleConvNet's 5x5 im2col in float32, 1 thread: 0.27 -> 0.19 ms). */
#define FN_PATCH_ROWS(NAME, ATTRIBUTES, FH, FW, V)                                           \
    static __attribute__(ATTRIBUTES) void FN(NAME)(const fn_window *g, const real *xn,       \
                                                   const ptrdiff_t xs[4], ptrdiff_t oh,      \
                                                   real *rows) {                             \
        FN(fn_patch_rows_fw)(g, xn, xs, oh, rows, FH, FW, V);                                \
    }
FN_PATCH_ROWS(fn_patch_rows_3x3, (noinline), 3, 3, sizeof(real) == 4 ? 4 : 3)
FN_PATCH_ROWS(fn_patch_rows_5x5, (noinline), 5, 5, 5)
FN_PATCH_ROWS(fn_patch_rows_w1, (noinline), g->fh, 1, 1)
FN_PATCH_ROWS(fn_patch_rows_w2, (noinline), g->fh, 2, 2)
FN_PATCH_ROWS(fn_patch_rows_w3, (noinline), g->fh, 3, sizeof(real) == 4 ? 4 : 3)
FN_PATCH_ROWS(fn_patch_rows_w5, (noinline), g->fh, 5, 5)
FN_PATCH_ROWS(fn_patch_rows_w7, (noinline), g->fh, 7, 8)
FN_PATCH_ROWS(fn_patch_rows_any, (noinline), g->fh, g->fw, g->fw)
#if defined(FASTNET_X86) && (defined(__GNUC__) || defined(__clang__))
#define FN_IM2COL_AVX2 1
FN_PATCH_ROWS(fn_patch_rows_3x3_avx2, (noinline, target("avx2")), 3, 3, 4)
FN_PATCH_ROWS(fn_patch_rows_5x5_avx2, (noinline, target("avx2")), 5, 5, sizeof(real) == 4 ? 8 : 5)
FN_PATCH_ROWS(fn_patch_rows_w3_avx2, (noinline, target("avx2")), g->fh, 3, 4)
FN_PATCH_ROWS(fn_patch_rows_w5_avx2, (noinline, target("avx2")), g->fh, 5,
              sizeof(real) == 4 ? 8 : 5)
FN_PATCH_ROWS(fn_patch_rows_w7_avx2, (noinline, target("avx2")), g->fh, 7, 8)
#endif
#undef FN_PATCH_ROWS

static inline void FN(fn_patch_rows)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                     ptrdiff_t oh, real *rows) {
    const ptrdiff_t fh = g->fh, fw = g->fw;
#ifdef FN_IM2COL_AVX2
    if (fn_elementwise_simd() >= FN_SIMD_AVX2) {
        if (fh == 3 && fw == 3) FN(fn_patch_rows_3x3_avx2)(g, xn, xs, oh, rows);
        else if (fh == 5 && fw == 5) FN(fn_patch_rows_5x5_avx2)(g, xn, xs, oh, rows);
        else if (fw == 3) FN(fn_patch_rows_w3_avx2)(g, xn, xs, oh, rows);
        else if (fw == 5) FN(fn_patch_rows_w5_avx2)(g, xn, xs, oh, rows);
        else if (fw == 7) FN(fn_patch_rows_w7_avx2)(g, xn, xs, oh, rows);
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

/* One pixel x near the left or right edge: only the filter columns j whose
 * window lies inside, 0 <= ow = x + pad - j < OW. */
static inline real FN(fn_gather_edge)(const fn_window *g, const real *const *base, ptrdiff_t i_lo,
                                      ptrdiff_t i_hi, ptrdiff_t x, ptrdiff_t k, ptrdiff_t fw) {
    ptrdiff_t j_lo = x + g->pad - g->ow + 1, j_hi = x + g->pad + 1;
    if (j_lo < 0) j_lo = 0;
    if (j_hi > fw) j_hi = fw;
    real sum = 0;
    for (ptrdiff_t i = i_lo; i < i_hi; i++)
        for (ptrdiff_t j = j_lo; j < j_hi; j++) sum += base[i][x * k + j * (1 - k)];
    return sum;
}

/* Pixel row y of channel c of one image, stride 1, summed from the col rows of
 * image coln that cover it (gather): out[x] := Σ_i Σ_j col[(oh, ow), (c, i, j)],
 * oh = y + pad - i in [i_lo, i_hi), ow = x + pad - j. Each pixel is written once,
 * so dx needs no zeroing and no read-modify-write, and its terms are added in
 * the reference's (i, j) order (same rounding). In col, moving to filter column
 * j + 1 of the same pixel is one row back and one column on: 1 - k elements.
 * Inlined where fh and fw are literals, a pixel is fh·fw adds from fh pointers
 * at constant offsets. */
static inline __attribute__((always_inline)) void FN(fn_gather_row_fw)(
    const fn_window *g, const real *coln, ptrdiff_t c, ptrdiff_t y, ptrdiff_t i_lo,
    ptrdiff_t i_hi, real *out, ptrdiff_t dxs, ptrdiff_t fh, ptrdiff_t fw) {
    const ptrdiff_t k = g->c * fh * fw, pad = g->pad, ow_n = g->ow, w = g->w;
    /* col[(oh, pad), (c, i, 0)] for each i: pixel x's term (i, j) is at [x·k + j·(1 - k)] */
    const real *base[fh];
    for (ptrdiff_t i = i_lo; i < i_hi; i++)
        base[i] = coln + ((y + pad - i) * ow_n + pad) * k + (c * fh + i) * fw;
    /* Pixels [x_lo, x_hi) have all fw columns' windows inside 0 <= ow < OW. */
    ptrdiff_t x_lo = fw - 1 - pad, x_hi = ow_n - pad;
    if (x_lo < 0) x_lo = 0;
    if (x_lo > w) x_lo = w;
    if (x_hi > w) x_hi = w;
    if (x_hi < x_lo) x_hi = x_lo;
    for (ptrdiff_t x = 0; x < x_lo; x++)
        out[x * dxs] = FN(fn_gather_edge)(g, base, i_lo, i_hi, x, k, fw);
    if (i_lo == 0 && i_hi == fh) {  /* all fh·fw terms */
        for (ptrdiff_t x = x_lo; x < x_hi; x++) {
            real sum = 0;
            for (ptrdiff_t i = 0; i < fh; i++)
                for (ptrdiff_t j = 0; j < fw; j++) sum += base[i][x * k + j * (1 - k)];
            out[x * dxs] = sum;
        }
    } else {  /* the top and bottom rows: fewer filter rows i */
        for (ptrdiff_t x = x_lo; x < x_hi; x++) {
            real sum = 0;
            for (ptrdiff_t i = i_lo; i < i_hi; i++)
                for (ptrdiff_t j = 0; j < fw; j++) sum += base[i][x * k + j * (1 - k)];
            out[x * dxs] = sum;
        }
    }
    for (ptrdiff_t x = x_hi; x < w; x++)
        out[x * dxs] = FN(fn_gather_edge)(g, base, i_lo, i_hi, x, k, fw);
}

/* Image dn := its stride-1 patches in coln put back, a pixel row at a time:
 * the fh rows of col a row y reads (a few KiB per channel) serve all channels
 * while in cache. */
static void FN(fn_image_gather)(const fn_window *g, const real *coln, real *dn,
                                const ptrdiff_t ds[4]) {
    const ptrdiff_t fh = g->fh, fw = g->fw, block = g->ow * g->c * fh * fw;
    const ptrdiff_t lines = (ptrdiff_t)(block * sizeof(real) / 64) + 1;
    for (ptrdiff_t y = 0; y < g->h; y++) {
        ptrdiff_t i_lo = y + g->pad - g->oh + 1, i_hi = y + g->pad + 1;  /* 0 <= oh < OH */
        if (i_lo < 0) i_lo = 0;
        if (i_hi > fh) i_hi = fh;
        /* Row y + 1 first reads the col rows of oh = y + 1 + pad, which nothing has
         * touched yet: they are fetched from memory now, a share per channel, in
         * order. The reads below hop between rows k apart, which the hardware
         * prefetchers follow badly (1 thread, DeepConvNet layer 2 in float32: 7.7 -> 3.7 ms). */
        const ptrdiff_t next = y + 1 + g->pad;
        const char *ahead = next < g->oh ? (const char *)(coln + next * block) : NULL;
        for (ptrdiff_t c = 0; c < g->c; c++) {
            if (ahead)
                for (ptrdiff_t l = c * lines / g->c; l < (c + 1) * lines / g->c; l++)
                    __builtin_prefetch(ahead + l * 64);
            real *out = dn + c * ds[1] + y * ds[2];
#define FN_GATHER(FH, FW) FN(fn_gather_row_fw)(g, coln, c, y, i_lo, i_hi, out, ds[3], FH, FW)
            if (fh == 3 && fw == 3) FN_GATHER(3, 3);  /* constants unroll the sums */
            else if (fh == 5 && fw == 5) FN_GATHER(5, 5);
            else if (fw == 2) FN_GATHER(fh, 2);
            else if (fw == 3) FN_GATHER(fh, 3);
            else FN_GATHER(fh, fw);
#undef FN_GATHER
        }
    }
}

/* Image dn := 0 (any strides), before a scatter adds into it. */
static void FN(fn_image_zero)(const fn_window *g, real *dn, const ptrdiff_t ds[4]) {
    for (ptrdiff_t c = 0; c < g->c; c++)
        for (ptrdiff_t y = 0; y < g->h; y++)
            for (ptrdiff_t x = 0; x < g->w; x++) dn[c * ds[1] + y * ds[2] + x * ds[3]] = 0;
}

/* Image dn (zeroed, C order) += its stride-1 patches in coln, (c, i, j) order,
 * fw <= V values at a time: for pixel row y and window ow, the fh runs that
 * land on x0 = ow - pad .. x0 + fw (one per filter row i, oh = y + pad - i) are
 * loaded as vectors of V (32 bytes), the lanes past fw masked to 0, summed in
 * a register and added to dx with one load, add and store, where the gather
 * makes fw·fh scalar adds per pixel (SimpleConvNet's 5x5 col2im in float32,
 * 1 thread: 0.33 -> 0.19 ms). Windows next to each other overlap in dx, so a
 * pass takes every V-th window of every row (a load then never waits on a
 * recent store it only partly overlaps). Masked lanes write back what they
 * read, so a vector may reach into the next or previous row of the image,
 * never outside it (another thread's image), nor read past the end of col:
 * those go value by value. The sum order differs from the reference's
 * (rounding within float tolerance). */
static inline __attribute__((always_inline)) void FN(fn_gather_vec_fw)(
    const fn_window *g, const real *coln, const real *col_end, real *dn, ptrdiff_t fh,
    ptrdiff_t fw) {
#if defined(__GNUC__) || defined(__clang__)
    typedef same_int ivec __attribute__((vector_size(32)));
    enum { V = 32 / sizeof(real) };
    const ptrdiff_t c_n = g->c, h = g->h, w = g->w, pad = g->pad;
    const ptrdiff_t oh_n = g->oh, ow_n = g->ow, k = c_n * fh * fw;
    const real *const dn_end = dn + c_n * h * w;
    ivec lane, in_run;
    for (int j = 0; j < V; j++) lane[j] = j, in_run[j] = j < fw ? -1 : 0;
    for (ptrdiff_t phase = 0; phase < V; phase++) {
        for (ptrdiff_t y = 0; y < h; y++) {
            ptrdiff_t i_lo = y + pad - oh_n + 1, i_hi = y + pad + 1;  /* 0 <= oh < OH */
            if (i_lo < 0) i_lo = 0;
            if (i_hi > fh) i_hi = fh;
            for (ptrdiff_t c = 0; c < c_n; c++) {
                for (ptrdiff_t ow = phase; ow < ow_n; ow += V) {
                    const ptrdiff_t x0 = ow - pad;
                    /* run i of col row (y + pad - i, ow): one row back per i, fw on */
                    const real *r =
                        coln + ((y + pad - i_lo) * ow_n + ow) * k + (c * fh + i_lo) * fw;
                    const ptrdiff_t next = fw - ow_n * k;
                    FN(fn_vec32) sum = {0};
                    if (r + V <= col_end) {  /* the first run is the last in memory */
                        for (ptrdiff_t i = i_lo; i < i_hi; i++, r += next)
                            sum += (FN(fn_vec32))((ivec) * (const FN(fn_vec32) *)r & in_run);
                    } else {
                        for (ptrdiff_t i = i_lo; i < i_hi; i++, r += next)
                            for (ptrdiff_t j = 0; j < fw; j++) sum[j] += r[j];
                    }
                    real *d = dn + (c * h + y) * w + x0;
                    if (d >= dn && d + V <= dn_end) {
                        const same_int x = (same_int)x0;
                        const ivec keep = (lane + x >= 0) & (lane + x < (same_int)w);
                        *(FN(fn_vec32) *)d += (FN(fn_vec32))((ivec)sum & keep);
                        continue;
                    }
                    for (ptrdiff_t j = 0; j < fw; j++)
                        if (x0 + j >= 0 && x0 + j < w) d[j] += sum[j];
                }
            }
        }
    }
#else
    (void)g, (void)coln, (void)col_end, (void)dn, (void)fh, (void)fw;
#endif
}

#ifdef FN_IM2COL_AVX2
/* fn_gather_vec_fw with AVX2 for 5x5 windows (fn_gather_vectors). */
static __attribute__((noinline, target("avx2"))) void FN(fn_gather_vec_5x5_avx2)(
    const fn_window *g, const real *coln, const real *col_end, real *dn) {
    FN(fn_gather_vec_fw)(g, coln, col_end, dn, 5, 5);
}
#endif

/* Whether col2im takes fn_gather_vec_5x5_avx2: 5x5 float32 windows at stride 1,
 * dx in C order, an AVX2 CPU, and an image's col small enough to stay in L2
 * (256 KiB) through the V passes that read it. DeepConvNet's 3x3 layers (450
 * KiB per image) took 3.4 ms with the scalar gather and 11 ms with this. */
static int FN(fn_gather_vectors)(const fn_window *g, const ptrdiff_t ds[4], int channels_last) {
#ifdef FN_IM2COL_AVX2
    const int c_order = ds[3] == 1 && ds[2] == g->w && ds[1] == g->h * g->w;
    const size_t image = (size_t)(g->oh * g->ow * g->c * 25) * sizeof(real);
    return sizeof(real) == 4 && g->fh == 5 && g->fw == 5 && g->stride == 1 && !channels_last &&
           c_order && image <= (size_t)256 * 1024 && fn_elementwise_simd() >= FN_SIMD_AVX2;
#else
    (void)g, (void)ds, (void)channels_last;
    return 0;
#endif
}

void FN(fn_col2im)(const fn_window *g, const real *col, real *dx, const ptrdiff_t ds[4],
                   int channels_last) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int vectors = FN(fn_gather_vectors)(g, ds, channels_last);
    const int gather = !channels_last && g->stride == 1 && !vectors;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
#ifdef FN_IM2COL_AVX2
        if (vectors) {
            FN(fn_image_zero)(g, dx + n * ds[0], ds);
            FN(fn_gather_vec_5x5_avx2)(g, col + n * rows * k, col + g->n * rows * k,
                                       dx + n * ds[0]);
            continue;
        }
#endif
        if (gather) {
            FN(fn_image_gather)(g, col + n * rows * k, dx + n * ds[0], ds);
            continue;
        }
        FN(fn_image_zero)(g, dx + n * ds[0], ds);  /* in cache just before the sums */
        FN(fn_image_unpatches)(g, col + n * rows * k, channels_last, dx + n * ds[0], ds);
    }
}

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
