/* Max pooling forward and backward for one float type (define real and FN
 * first, see im2col_impl.h). The reference pools im2col's patches; here each
 * window is scanned in place, so no patch matrix is ever built. Padding takes
 * part as zeros, like the book's; `>` keeps the first maximum (np.argmax). */

void FN(fn_max_pool_forward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                             real *out, int32_t *arg_max) {
    const ptrdiff_t planes = g->n * g->c, size = g->oh * g->ow;
    const int nt = fn_threads_for((size_t)(planes * size * g->fh * g->fw));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t p = 0; p < planes; p++) {
        const real *xp = x + (p / g->c) * xs[0] + (p % g->c) * xs[1];
        real *o = out + p * size;
        int32_t *a = arg_max + p * size;
        for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
            const ptrdiff_t y0 = oh * g->stride - g->pad;
            for (ptrdiff_t ow = 0; ow < g->ow; ow++) {
                const ptrdiff_t x0 = ow * g->stride - g->pad;
                real best = 0;
                int32_t at = -1;
                for (ptrdiff_t i = 0; i < g->fh; i++) {
                    const ptrdiff_t y = y0 + i;
                    for (ptrdiff_t j = 0; j < g->fw; j++) {
                        const ptrdiff_t xx = x0 + j;
                        const real v = (y >= 0 && y < g->h && xx >= 0 && xx < g->w)
                                           ? xp[y * xs[2] + xx * xs[3]] : 0;
                        if (at < 0 || v > best) {
                            best = v;
                            at = (int32_t)(i * g->fw + j);
                        }
                    }
                }
                *o++ = best;
                *a++ = at;
            }
        }
    }
}

void FN(fn_max_pool_backward)(const fn_window *g, const real *dout, const ptrdiff_t os[4],
                              const int32_t *arg_max, real *dx, const ptrdiff_t ds[4]) {
    const ptrdiff_t size = g->oh * g->ow;
    /* threads take whole images: overlapping windows add into their own pixels */
    const int nt = fn_threads_for((size_t)(g->n * g->c * size));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
        for (ptrdiff_t c = 0; c < g->c; c++) {
            const real *d = dout + n * os[0] + c * os[1];
            const int32_t *a = arg_max + (n * g->c + c) * size;
            real *dp = dx + n * ds[0] + c * ds[1];
            for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
                for (ptrdiff_t ow = 0; ow < g->ow; ow++, a++) {
                    const ptrdiff_t y = oh * g->stride - g->pad + *a / g->fw;
                    const ptrdiff_t xx = ow * g->stride - g->pad + *a % g->fw;
                    if (y >= 0 && y < g->h && xx >= 0 && xx < g->w)  /* not padding */
                        dp[y * ds[2] + xx * ds[3]] += d[oh * os[2] + ow * os[3]];
                }
            }
        }
    }
}
