/* im2col and col2im for one float type. Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the type's name suffix, x##_f32 or x##_f64
 *
 * The reference copies one filter offset (i, j) for all positions at a time
 * (FH·FW strided slices, then a transposing copy). Here each row of col, one
 * output position, is written once in order: its patch is a handful of short
 * runs of the image, so the writes stream and the reads stay in cache.
 * Threads take whole images (their rows of col and pixels of dx are theirs
 * alone, so col2im's sums need no locks). */

/* One row of col: the patch at output position (y0, x0) = its top-left corner
 * in unpadded coordinates (negative inside the padding). */
static inline void FN(fn_patch)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                ptrdiff_t y0, ptrdiff_t x0, real *row) {
    const int inside_w = x0 >= 0 && x0 + g->fw <= g->w;
    for (ptrdiff_t c = 0; c < g->c; c++) {
        const real *xc = xn + c * xs[1];
        for (ptrdiff_t i = 0; i < g->fh; i++, row += g->fw) {
            const ptrdiff_t y = y0 + i;
            if (y < 0 || y >= g->h) {  /* a padding row */
                for (ptrdiff_t j = 0; j < g->fw; j++) row[j] = 0;
                continue;
            }
            const real *src = xc + y * xs[2];
            if (inside_w && xs[3] == 1) {  /* the common case: one contiguous run */
                for (ptrdiff_t j = 0; j < g->fw; j++) row[j] = src[x0 + j];
            } else {
                for (ptrdiff_t j = 0; j < g->fw; j++) {
                    const ptrdiff_t x = x0 + j;
                    row[j] = (x >= 0 && x < g->w) ? src[x * xs[3]] : 0;
                }
            }
        }
    }
}

/* All rows of one image, patches in (c, i, j) or, channels_last, (i, j, c) order. */
static void FN(fn_image_patches)(const fn_window *g, const real *xn, const ptrdiff_t xs[4],
                                 int channels_last, real *row);

void FN(fn_im2col)(const fn_window *g, const real *x, const ptrdiff_t xs[4], real *col) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_image_patches)(g, x + n * xs[0], xs, 0, col + n * rows * k);
}

/* One row of col added back into one image dn: (c, i, j) column order. */
static inline void FN(fn_unpatch)(const fn_window *g, const real *v, ptrdiff_t y0, ptrdiff_t x0,
                                  real *dn, const ptrdiff_t ds[4]) {
    for (ptrdiff_t c = 0; c < g->c; c++) {
        real *dc = dn + c * ds[1];
        for (ptrdiff_t i = 0; i < g->fh; i++, v += g->fw) {
            const ptrdiff_t y = y0 + i;
            if (y < 0 || y >= g->h) continue;  /* padding: dropped */
            real *dst = dc + y * ds[2];
            for (ptrdiff_t j = 0; j < g->fw; j++) {
                const ptrdiff_t xx = x0 + j;
                if (xx >= 0 && xx < g->w) dst[xx * ds[3]] += v[j];
            }
        }
    }
}

/* All rows of one image added back, (c, i, j) or, channels_last, (i, j, c) order. */
static void FN(fn_image_unpatches)(const fn_window *g, const real *row, int channels_last,
                                   real *dn, const ptrdiff_t ds[4]);

void FN(fn_col2im)(const fn_window *g, const real *col, real *dx, const ptrdiff_t ds[4]) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_image_unpatches)(g, col + n * rows * k, 0, dx + n * ds[0], ds);
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
        for (ptrdiff_t ow = 0; ow < g->ow; ow++, row += k) {
            const ptrdiff_t y0 = oh * g->stride - g->pad, x0 = ow * g->stride - g->pad;
            if (channels_last)
                FN(fn_patch_cl)(g, xn, xs, y0, x0, row);
            else
                FN(fn_patch)(g, xn, xs, y0, x0, row);
        }
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
        for (ptrdiff_t ow = 0; ow < g->ow; ow++, row += k) {
            const ptrdiff_t y0 = oh * g->stride - g->pad, x0 = ow * g->stride - g->pad;
            if (channels_last)
                FN(fn_unpatch_cl)(g, row, y0, x0, dn, ds);
            else
                FN(fn_unpatch)(g, row, y0, x0, dn, ds);
        }
    }
}
