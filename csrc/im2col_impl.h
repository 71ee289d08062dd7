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

/* Rows [from, to) of col for output row oh, windows wholly inside the image's
 * width and its pixels adjacent (xs[3] == 1): each row written front to back,
 * one run of fw values per (c, i). Inlined where fw is a literal, a run is a
 * few whole-register moves instead of a loop, and writing in order lets the
 * caches stream the stores. With v > fw (a register's width) each run moves v
 * values and the next run overwrites the extra ones: fw = 3 in float32 is then
 * one 16-byte move, not an 8- and a 4-byte one. Only where that reads inside the
 * image row and writes inside [from, to): windows within v of the right edge,
 * and the last row (whose overhang would land in a row not rewritten after
 * it), move exactly fw. */
static inline __attribute__((always_inline)) void FN(fn_patch_runs_fw)(
    const fn_window *g, const real *xn, const ptrdiff_t xs[4], ptrdiff_t oh, ptrdiff_t from,
    ptrdiff_t to, real *rows, ptrdiff_t fh, ptrdiff_t fw, ptrdiff_t v) {
    /* locals, not g->: the compiler cannot tell that the stores leave g alone */
    const ptrdiff_t c_n = g->c, h = g->h, w = g->w, stride = g->stride;
    const ptrdiff_t pad = g->pad, xs1 = xs[1], xs2 = xs[2];
    const ptrdiff_t k = c_n * fh * fw, y0 = oh * stride - pad;
    ptrdiff_t i_lo = -y0, i_hi = h - y0;  /* image rows y0 + i inside, the others padding */
    if (i_lo < 0) i_lo = 0;
    if (i_hi > fh) i_hi = fh;
    if (i_hi < i_lo) i_hi = i_lo;
    /* Rows before `wide` move v values: ow·stride - pad + v <= w, not the last row. */
    ptrdiff_t wide = w + pad - v < 0 ? 0 : (w + pad - v) / stride + 1;
    if (v == fw || i_lo > 0 || i_hi < fh) wide = from;
    if (wide > to - 1) wide = to - 1;
    for (ptrdiff_t ow = from; ow < wide; ow++) {
        real *d = rows + ow * k;
        const real *src = xn + y0 * xs2 + ow * stride - pad;
        for (ptrdiff_t c = 0; c < c_n; c++, src += xs1)
            for (ptrdiff_t i = 0; i < fh; i++, d += fw)
                memcpy(d, src + i * xs2, (size_t)v * sizeof(real));
    }
    for (ptrdiff_t ow = wide > from ? wide : from; ow < to; ow++) {
        real *d = rows + ow * k;
        const real *src = xn + y0 * xs2 + ow * stride - pad;
        for (ptrdiff_t c = 0; c < c_n; c++, src += xs1) {
            ptrdiff_t i = 0;
            for (; i < i_lo; i++, d += fw) memset(d, 0, (size_t)fw * sizeof(real));
            for (; i < i_hi; i++, d += fw) memcpy(d, src + i * xs2, (size_t)fw * sizeof(real));
            for (; i < fh; i++, d += fw) memset(d, 0, (size_t)fw * sizeof(real));
        }
    }
}

/* The same for any filter: the usual sizes get constants (square 3x3 and 5x5
 * both, other fw the width only). v: fw rounded up to 16 bytes where that
 * saves a move. */
static void FN(fn_patch_runs)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                              ptrdiff_t oh, ptrdiff_t from, ptrdiff_t to, real *rows) {
    const ptrdiff_t fh = g->fh, v3 = sizeof(real) == 4 ? 4 : 3;
#define FN_RUNS(FH, FW, V) FN(fn_patch_runs_fw)(g, xn, xs, oh, from, to, rows, FH, FW, V)
    switch (g->fw) {
        case 1: FN_RUNS(fh, 1, 1); return;
        case 2: FN_RUNS(fh, 2, 2); return;
        case 3:
            if (fh == 3 && v3 == 4) FN_RUNS(3, 3, 4);
            else if (fh == 3) FN_RUNS(3, 3, 3);
            else FN_RUNS(fh, 3, v3);
            return;
        case 4: FN_RUNS(fh, 4, 4); return;
        case 5:
            if (fh == 5) FN_RUNS(5, 5, 5);
            else FN_RUNS(fh, 5, 5);
            return;
        case 7: FN_RUNS(fh, 7, 8); return;
        default: FN_RUNS(fh, g->fw, g->fw);
    }
#undef FN_RUNS
}

/* d[ow·k] := s[ow·step] for the windows ow in [from, to), 0 for those outside [a, b). */
static inline void FN(fn_copy_column)(real *d, ptrdiff_t k, const real *s, ptrdiff_t step,
                                      ptrdiff_t from, ptrdiff_t to, ptrdiff_t a, ptrdiff_t b) {
    ptrdiff_t ow = from;
    for (; ow < to && ow < a; ow++) d[ow * k] = 0;
    for (; ow < to && ow < b; ow++) d[ow * k] = s[ow * step];
    for (; ow < to; ow++) d[ow * k] = 0;
}

/* The OW rows of col for output row oh of image xn, columns in (c, i, j) order.
 * For each image row (c, i) the windows ow that lie wholly inside it (most of
 * them) copy their fw pixels as one run; the few that overhang the left or
 * right edge go value by value, zeros for the padding. */
static inline void FN(fn_patch_rows)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                     ptrdiff_t oh, real *rows) {
    const ptrdiff_t k = g->c * g->fh * g->fw, fw = g->fw, step = g->stride * xs[3];
    ptrdiff_t lo[g->fw], hi[g->fw];
    FN(fn_inside)(g, lo, hi);
    /* Windows [whole_lo, whole_hi) have all fw columns inside (j = 0 limits the
     * left, j = fw - 1 the right); runs need the row's pixels adjacent. */
    ptrdiff_t whole_lo = lo[0], whole_hi = hi[fw - 1] > lo[0] ? hi[fw - 1] : lo[0];
    if (xs[3] != 1) whole_lo = whole_hi = g->ow;  /* no runs: all value by value */
    FN(fn_patch_runs)(g, xn, xs, oh, whole_lo, whole_hi, rows);
    /* The rest, a column (c, i, j) at a time: the OW windows' values are k apart. */
    real *d = rows;
    for (ptrdiff_t c = 0; c < g->c; c++) {
        for (ptrdiff_t i = 0; i < g->fh; i++, d += fw) {
            const ptrdiff_t y = oh * g->stride - g->pad + i;
            const real *src = xn + c * xs[1] + y * xs[2] - g->pad * xs[3];
            for (ptrdiff_t j = 0; j < fw; j++) {
                ptrdiff_t a = lo[j], b = hi[j];
                if (y < 0 || y >= g->h) a = b = g->ow;  /* all padding */
                FN(fn_copy_column)(d + j, k, src + j * xs[3], step, 0, whole_lo, a, b);
                FN(fn_copy_column)(d + j, k, src + j * xs[3], step, whole_hi, g->ow, a, b);
            }
        }
    }
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
    if (x_hi > w) x_hi = w;
    if (x_hi < x_lo) x_hi = x_lo;
    for (ptrdiff_t x = 0; x < w; x++) {
        if (x == x_lo && i_lo == 0 && i_hi == fh) {  /* the inner pixels, all fh·fw terms */
            for (; x < x_hi; x++) {
                real sum = 0;
                for (ptrdiff_t i = 0; i < fh; i++)
                    for (ptrdiff_t j = 0; j < fw; j++) sum += base[i][x * k + j * (1 - k)];
                out[x * dxs] = sum;
            }
            if (x == w) break;
        }
        ptrdiff_t j_lo = x + pad - ow_n + 1, j_hi = x + pad + 1;  /* 0 <= ow < OW */
        if (j_lo < 0) j_lo = 0;
        if (j_hi > fw) j_hi = fw;
        real sum = 0;
        for (ptrdiff_t i = i_lo; i < i_hi; i++)
            for (ptrdiff_t j = j_lo; j < j_hi; j++) sum += base[i][x * k + j * (1 - k)];
        out[x * dxs] = sum;
    }
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

void FN(fn_col2im)(const fn_window *g, const real *col, real *dx, const ptrdiff_t ds[4],
                   int channels_last) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int gather = !channels_last && g->stride == 1;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
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
