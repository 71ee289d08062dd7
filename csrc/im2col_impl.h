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

void FN(fn_im2col)(const fn_window *g, const real *x, const ptrdiff_t xs[4], real *col) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
        real *row = col + n * rows * k;
        for (ptrdiff_t oh = 0; oh < g->oh; oh++)
            for (ptrdiff_t ow = 0; ow < g->ow; ow++, row += k)
                FN(fn_patch)(g, x + n * xs[0], xs, oh * g->stride - g->pad,
                             ow * g->stride - g->pad, row);
    }
}

void FN(fn_col2im)(const fn_window *g, const real *col, real *dx, const ptrdiff_t ds[4]) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(g->n * rows * k));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
        const real *row = col + n * rows * k;
        real *dn = dx + n * ds[0];
        for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
            const ptrdiff_t y0 = oh * g->stride - g->pad;
            for (ptrdiff_t ow = 0; ow < g->ow; ow++, row += k) {
                const ptrdiff_t x0 = ow * g->stride - g->pad;
                const real *v = row;
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
        }
    }
}
