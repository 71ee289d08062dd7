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

/* The OW rows of col for output row oh of image xn, columns in (c, i, j) order. */
static inline void FN(fn_patch_rows)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                     ptrdiff_t oh, real *rows) {
    const ptrdiff_t k = g->c * g->fh * g->fw, step = g->stride * xs[3];
    ptrdiff_t lo[g->fw], hi[g->fw];
    FN(fn_inside)(g, lo, hi);
    real *d = rows;  /* column (c, i, j) of the first row; the next rows are k apart */
    for (ptrdiff_t c = 0; c < g->c; c++) {
        for (ptrdiff_t i = 0; i < g->fh; i++) {
            const ptrdiff_t y = oh * g->stride - g->pad + i;
            const int row_inside = y >= 0 && y < g->h;  /* else all padding */
            const real *src = xn + c * xs[1] + y * xs[2];
            for (ptrdiff_t j = 0; j < g->fw; j++, d++) {
                const ptrdiff_t a = row_inside ? lo[j] : 0, b = row_inside ? hi[j] : 0;
                const real *s = src + (j - g->pad) * xs[3];
                for (ptrdiff_t ow = 0; ow < a; ow++) d[ow * k] = 0;
                for (ptrdiff_t ow = a; ow < b; ow++) d[ow * k] = s[ow * step];
                for (ptrdiff_t ow = b; ow < g->ow; ow++) d[ow * k] = 0;
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

void FN(fn_col2im)(const fn_window *g, const real *col, real *dx, const ptrdiff_t ds[4],
                   int channels_last) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_image_unpatches)(g, col + n * rows * k, channels_last, dx + n * ds[0], ds);
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
