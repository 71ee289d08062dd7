/* Convolution, activation and max pooling as one kernel, for one float type
 * (define real and FN first, see im2col_impl.h; included after pool_impl.h
 * and conv_gemm_impl.h, whose pieces it chains).
 *
 *   out := maxpool(act(x ⊛ W + b))
 *
 * The book's Convolution, Relu and Pooling layers each write a whole batch
 * to memory and read it back: SimpleConvNet's convolution output is 6.9 MB
 * in float32, written by the convolution, read by the ReLU and the pooling,
 * and its gradient is as big again. Here each chunk of images is convolved
 * into a buffer that stays in cache and pooled from there: only the pooled
 * output (a quarter of the size for 2x2 pooling) and its arg_max reach memory.
 *
 * Backward needs no copy of act(x ⊛ W + b) either: a max-pooling window's
 * output IS the value of the input that won it, so the activation's
 * derivative at that input is its derivative at the pooled output (ReLU's
 * [out > 0], sigmoid's out·(1 - out), tanh's 1 - out²). Each chunk's
 * gradient before the activation is therefore dout ⊙ act'(out) routed to
 * the winners, zero elsewhere, built in cache and handed to the same
 * per-chunk gradient code as fn_conv_backward. */

int FN(fn_conv_pool_forward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                             int channels_last, const real *w, ptrdiff_t filters,
                             const real *bias, int activation, int kernel, const fn_window *pool,
                             real *out, int32_t *arg_max) {
    const ptrdiff_t rows = g->oh * g->ow, pooled = pool->oh * pool->ow;
    /* y: a chunk's convolution output, rows (n, oh, ow) x filters; out and
     * arg_max: (n, pooled oh, pooled ow, filters), both as channels-last images */
    const ptrdiff_t ys[4] = {rows * filters, 1, g->ow * filters, filters};
    const ptrdiff_t os[4] = {pooled * filters, 1, pool->ow * filters, filters};
    ptrdiff_t chunk, chunks;
    const int nt = FN(fn_conv_plan)(g, 1, FN_CONV_FORWARD_CHUNK_BYTES, filters, &chunk, &chunks);
    int status = 0;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        /* this thread's patches and convolution output */
        real *col = FN(fn_conv_buffer)(g, chunk);
        real *y = malloc((size_t)(chunk * rows * filters + 1) * sizeof(real));
        int mine = col && y ? 0 : -1;
#pragma omp for schedule(static)
        for (ptrdiff_t c = 0; c < chunks; c++) {
            if (mine != 0) continue;
            ptrdiff_t n0;
            const fn_window part = FN(fn_conv_part)(g, c, chunk, &n0);
            mine = FN(fn_conv_chunk_out)(&part, x + n0 * xs[0], xs, channels_last, col, w,
                                         filters, bias, activation, kernel, y);
            /* the chunk's pooling, from y while it is in cache */
            fn_window chunk_pool = *pool;
            chunk_pool.n = part.n;
            FN(fn_max_pool_forward)(&chunk_pool, y, ys, out + n0 * pooled * filters, os,
                                    arg_max + n0 * pooled * filters, os);
        }
        free(col);
        free(y);
        if (mine != 0) {
#pragma omp atomic write
            status = mine;
        }
    }
    return status;
}

/* One image's gradient before the activation, dact (oh·ow x filters): each
 * pooled gradient times act'(out), at its window's winner, zero elsewhere.
 * dout, out: (filters, ph, pw) of this image with strides os, ys (of which
 * [1..3] are used; the pooled pixels flatten to one stride, os[2] ==
 * pool->ow·os[3]); arg_max channels-last (as[1] == 1); v: ph·pw x filters
 * reals. Unless db is NULL, db += Σ v: with no padding every pooled gradient
 * lands on one input, so this is Σ dact in a quarter of the adds (2x2). */
static void FN(fn_unpool_image)(const fn_window *pool, const real *dout, const ptrdiff_t os[4],
                                const real *out, const ptrdiff_t ys[4], const int32_t *arg_max,
                                const ptrdiff_t as[4], int activation, real *v, real *dact,
                                real *db) {
    const ptrdiff_t c = pool->c;
    const ptrdiff_t vs[4] = {0, 1, pool->ow * c, c};  /* v as this image's pooled gradient */
    const ptrdiff_t ds[4] = {0, 1, pool->w * c, c};   /* dact as the image, channels-last */
    FN(fn_conv_dact)(pool->oh * pool->ow, c, dout, os[3], os[1], out, ys[3], ys[1], activation,
                     v);
    if (db)
        FN(fn_conv_db)(pool->oh * pool->ow, c, v, c, 1, db);
    FN(fn_max_pool_backward_image)(pool, v, vs, arg_max, as, dact, ds);
}

int FN(fn_conv_pool_backward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                              int channels_last, const real *w, ptrdiff_t filters,
                              const fn_window *pool, const real *dout, const ptrdiff_t os[4],
                              const real *out, const ptrdiff_t ys[4], const int32_t *arg_max,
                              const ptrdiff_t as[4], int activation, int kernel, real *dw,
                              real *db, real *dx, const ptrdiff_t ds[4], const real *w_flip) {
    const ptrdiff_t rows = g->oh * g->ow, per_v = pool->oh * pool->ow * filters + 1;
    ptrdiff_t chunk, chunks;
    const int nt = FN(fn_conv_plan)(g, 1, FN_CONV_CHUNK_BYTES, filters, &chunk, &chunks);
    real *vs = malloc((size_t)(nt * per_v) * sizeof(real));  /* each thread's pooled dact */
    FN(fn_conv_work) *works = vs ? FN(fn_conv_works)(nt, g, chunk, filters, dx != NULL,
                                                     w_flip != NULL, 1)
                                 : NULL;
    if (!works) {
        free(vs);
        return -1;
    }
    int status = 0;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t c = 0; c < chunks; c++) {
        const int t = fn_thread_num();
        FN(fn_conv_work) *wk = works + t;
        ptrdiff_t n0;
        const fn_window part = FN(fn_conv_part)(g, c, chunk, &n0);
        for (ptrdiff_t i = 0; i < part.n; i++) {
            const ptrdiff_t n = n0 + i;
            FN(fn_unpool_image)(pool, dout + n * os[0], os, out + n * ys[0], ys,
                                arg_max + n * as[0], as, activation, vs + t * per_v,
                                wk->dact + i * rows * filters, pool->pad == 0 ? wk->db : NULL);
        }
        const int st = FN(fn_conv_chunk_grads)(&part, wk, x + n0 * xs[0], xs, channels_last, w,
                                               filters, wk->dact, filters, 1, rows * filters,
                                               kernel, pool->pad == 0 ? NULL : wk->db,
                                               dx ? dx + n0 * ds[0] : NULL, ds, w_flip);
        if (st != 0) {
#pragma omp atomic write
            status = st;
        }
    }
    free(vs);
    return FN(fn_conv_works_finish)(works, nt, status, g->c * g->fh * g->fw, filters, dw, db);
}
