/* The convolution itself, fused, for one float type (define real and FN
 * first, see im2col_impl.h). The reference builds the whole patch matrix
 * (for DeepConvNet's second layer, 78,400 x 144: 45 MB in float32), then
 * multiplies it; every pass over it then goes to main memory. Here the batch
 * is cut into chunks of images whose patch matrix fits in L2: each chunk's
 * im2col is multiplied while it is still in cache, and backward rebuilds it
 * chunk by chunk instead of keeping it. The products are fastnet's packed
 * GEMM (gemm/), with the bias and activation in its epilogue. */

#include <stdlib.h>

/* A chunk's patch matrix should fit in L2. Forward takes twice as much: each
 * GEMM call packs all of W again, which at DeepConvNet's last layer (576 x 64)
 * is as big as one image's patches, so more images per call pay it less often. */
#define FN_CONV_CHUNK_BYTES ((size_t)512 * 1024)
#define FN_CONV_FORWARD_CHUNK_BYTES ((size_t)1024 * 1024)

/* How many images go in one chunk of `bytes` patches: at least 1. When dout's
 * rows are not one stride apart across images (uniform = 0), one image at a time. */
static ptrdiff_t FN(fn_conv_chunk)(const fn_window *g, int uniform, size_t bytes) {
    const size_t per_image = (size_t)(g->oh * g->ow * g->c * g->fh * g->fw) * sizeof(real);
    ptrdiff_t images = per_image ? (ptrdiff_t)(bytes / per_image) : g->n;
    if (images < 1 || !uniform) images = 1;
    return images;
}

static real *FN(fn_conv_buffer)(const fn_window *g, ptrdiff_t images) {
    const size_t count = (size_t)(images * g->oh * g->ow * g->c * g->fh * g->fw);
    return malloc((count ? count : 1) * sizeof(real));
}

/* How one call is cut up: `chunk` images per chunk (fn_conv_chunk), `chunks`
 * of them, and the number of threads returned, each taking whole chunks
 * (OpenMP's static schedule: the same chunks on every run). With threads,
 * chunks shrink so that each thread gets one; a batch too small for that
 * runs its chunks on one thread, and the products inside them (the GEMM, the
 * direct convolution) use the threads instead. A kernel called from inside
 * a chunk's thread runs serially: OpenMP leaves nested regions inactive. */
static int FN(fn_conv_plan)(const fn_window *g, int uniform, size_t bytes, ptrdiff_t filters,
                            ptrdiff_t *chunk, ptrdiff_t *chunks) {
    ptrdiff_t images = FN(fn_conv_chunk)(g, uniform, bytes);
    const size_t work = (size_t)(g->n * g->oh * g->ow) * (size_t)(g->c * g->fh * g->fw) *
                        (size_t)filters;
    int nt = fn_threads_for(work);
    if (nt > 1) {
        const ptrdiff_t share = (g->n + nt - 1) / nt;
        if (share >= 1 && share < images) images = share;
    }
    *chunk = images;
    *chunks = (g->n + images - 1) / images;
    return *chunks < nt ? 1 : nt;
}

/* Chunk i of a plan: its images as a window (part.n of them), the first at n0. */
static fn_window FN(fn_conv_part)(const fn_window *g, ptrdiff_t i, ptrdiff_t chunk,
                                  ptrdiff_t *n0) {
    fn_window part = *g;
    *n0 = i * chunk;
    part.n = g->n - *n0 < chunk ? g->n - *n0 : chunk;
    return part;
}

/* im2col / col2im in the column order the caller chose (see conv.h). */
static void FN(fn_patches)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                           int channels_last, real *col) {
    const ptrdiff_t per_image = g->oh * g->ow * g->c * g->fh * g->fw;
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_image_patches)(g, x + n * xs[0], xs, channels_last, col + n * per_image);
}

static void FN(fn_unpatches)(const fn_window *g, const real *col, real *dx,
                             const ptrdiff_t ds[4], int channels_last) {
    const ptrdiff_t per_image = g->oh * g->ow * g->c * g->fh * g->fw;
    for (ptrdiff_t n = 0; n < g->n; n++)
        FN(fn_image_unpatches)(g, col + n * per_image, channels_last, dx + n * ds[0], ds);
}

/* One chunk's output rows (n, oh, ow) := act(col · Wᵀ + b), col its patches
 * (Wᵀ is W, filters x k, read by columns). */
static int FN(fn_conv_chunk_out)(const fn_window *part, const real *x, const ptrdiff_t xs[4],
                                 int channels_last, real *col, const real *w, ptrdiff_t filters,
                                 const real *bias, int activation, int kernel, real *out) {
    /* one channel: the direct kernels, no patches (conv_direct.h) */
    if (fn_conv_direct_wanted(part, filters, kernel))
        return FN(fn_conv_direct_forward)(part, x, xs, w, filters, bias, activation, kernel, out);
    const ptrdiff_t k = part->c * part->fh * part->fw;
    FN(fn_patches)(part, x, xs, channels_last, col);
    return FN(fn_gemm_packed)(part->n * part->oh * part->ow, filters, k, col, k, 1, w, 1, k,
                              out, filters, bias, activation, kernel);
}

int FN(fn_conv_forward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                        int channels_last, const real *w, ptrdiff_t filters, const real *bias,
                        int activation, int kernel, real *out) {
    const ptrdiff_t rows = g->oh * g->ow;
    ptrdiff_t chunk, chunks;
    const int nt = FN(fn_conv_plan)(g, 1, FN_CONV_FORWARD_CHUNK_BYTES, filters, &chunk, &chunks);
    int status = 0;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        real *col = FN(fn_conv_buffer)(g, chunk);  /* this thread's */
        int mine = col ? 0 : -1;
#pragma omp for schedule(static)
        for (ptrdiff_t i = 0; i < chunks; i++) {
            if (mine != 0) continue;
            ptrdiff_t n0;
            const fn_window part = FN(fn_conv_part)(g, i, chunk, &n0);
            mine = FN(fn_conv_chunk_out)(&part, x + n0 * xs[0], xs, channels_last, col, w,
                                         filters, bias, activation, kernel,
                                         out + n0 * rows * filters);
        }
        free(col);
        if (mine != 0) {
#pragma omp atomic write
            status = mine;
        }
    }
    return status;
}

/* dout·[y > 0] without a branch: the outcome of y > 0 is a coin toss a
 * branch predictor keeps losing, so dout's bits are masked instead (an exact
 * 0 where y <= 0, like np.where), a form that also vectorizes. */
static inline real FN(fn_relu_grad)(real g, real v) {
    same_int bits;
    memcpy(&bits, &g, sizeof bits);
    bits &= -(same_int)(v > 0);
    memcpy(&g, &bits, sizeof g);
    return g;
}

/* dout·act'(out) from y = act(out) (the rules of activation_backward). */
static inline real FN(fn_act_grad)(int activation, real g, real v) {
    if (activation == FN_RELU) return FN(fn_relu_grad)(g, v);
    if (activation == FN_SIGMOID) return g * v * (1 - v);
    if (activation == FN_TANH) return g * (1 - v * v);
    return g;
}

/* dact := dout ⊙ act'(out) for m rows, from the forward output y = act(out);
 * written as a C-order m x filters block. Rows whose filters are adjacent (a
 * convolution's channels-last output) run as one flat loop; a dout whose
 * rows are adjacent instead (C-order (n, f, h, w), as an Affine's gradient
 * reshaped) is read along them, one filter at a time. */
static void FN(fn_conv_dact)(ptrdiff_t m, ptrdiff_t filters, const real *d, ptrdiff_t drs,
                             ptrdiff_t dcs, const real *y, ptrdiff_t yrs, ptrdiff_t ycs,
                             int activation, real *dact) {
    if (activation == FN_RELU && dcs == 1 && ycs == 1 && drs == filters &&
        yrs == filters) {
        for (ptrdiff_t i = 0; i < m * filters; i++) dact[i] = FN(fn_relu_grad)(d[i], y[i]);
        return;
    }
    if (drs == 1 && dcs != 1) {
        for (ptrdiff_t f = 0; f < filters; f++)
            for (ptrdiff_t r = 0; r < m; r++)
                dact[r * filters + f] = FN(fn_act_grad)(activation, d[r + f * dcs],
                                                        y[r * yrs + f * ycs]);
        return;
    }
    for (ptrdiff_t r = 0; r < m; r++)
        for (ptrdiff_t f = 0; f < filters; f++)
            dact[r * filters + f] = FN(fn_act_grad)(activation, d[r * drs + f * dcs],
                                                    y[r * yrs + f * ycs]);
}

/* db += Σ over m rows of d (rows drs apart, filters dcs apart). */
static void FN(fn_conv_db)(ptrdiff_t m, ptrdiff_t filters, const real *d, ptrdiff_t drs,
                           ptrdiff_t dcs, real *db) {
    if (dcs == 1) {
        /* adjacent filters: each row one vectorizable add, four rows per pass
         * over db. One row per pass makes every db[f] wait on its own store
         * from the row before. */
        ptrdiff_t r = 0;
        for (; r + 4 <= m; r += 4) {
            const real *d0 = d + r * drs, *d1 = d0 + drs, *d2 = d1 + drs, *d3 = d2 + drs;
            for (ptrdiff_t f = 0; f < filters; f++) db[f] += (d0[f] + d1[f]) + (d2[f] + d3[f]);
        }
        for (; r < m; r++) {
            const real *dr = d + r * drs;
            for (ptrdiff_t f = 0; f < filters; f++) db[f] += dr[f];
        }
        return;
    }
    for (ptrdiff_t r = 0; r < m; r++)
        for (ptrdiff_t f = 0; f < filters; f++) db[f] += d[r * drs + f * dcs];
}

/* dx of one chunk as a convolution of its (channels-last) output gradient
 * d with the flipped filters: dx[n, y, x, c] = Σ_{i,j,f} d_pad[n, y+i, x+j, f]·
 * w_flip[c, (i, j, f)], stride 1, padding fh - 1 - pad. Its GEMM has
 * k = fh·fw·filters and writes dx itself, where dcol := d·W has k = filters
 * and then scatters fh·fw values into every pixel. Requires stride 1,
 * fh == fw, pad <= fh - 1 and channels-last dx with ds[1] == 1, ds[3] == c. */
static int FN(fn_conv_dx_flipped)(const fn_window *g, ptrdiff_t images, const real *d,
                                  const ptrdiff_t dstr[4], const real *w_flip,
                                  ptrdiff_t filters, int kernel, real *buf, real *dx) {
    fn_window t = *g;
    t.n = images;
    t.c = filters;
    t.h = g->oh;
    t.w = g->ow;
    t.pad = g->fh - 1 - g->pad;
    t.oh = g->h;
    t.ow = g->w;
    FN(fn_patches)(&t, d, dstr, 1, buf);
    const ptrdiff_t k = g->fh * g->fw * filters;
    return FN(fn_gemm_packed)(images * g->h * g->w, g->c, k, buf, k, 1, w_flip, 1, k, dx, g->c,
                              NULL, 0, kernel);
}

/* One thread's working memory in a backward call, sized for `chunk` images:
 * the chunk's patches (col), its dcol or flipped-filter patches (dcol, when
 * dx is wanted), its gradient before the activation (dact), one chunk's dWᵀ
 * and this thread's running sums: sum_dwt (k x filters) and db (filters). */
typedef struct {
    real *col, *dcol, *dact, *part_dw, *sum_dwt, *db;
} FN(fn_conv_work);

static void FN(fn_conv_work_free)(FN(fn_conv_work) *wk) {
    free(wk->col);
    free(wk->dcol);
    free(wk->dact);
    free(wk->part_dw);  /* sum_dwt and db live in the same block */
}

/* Allocates wk (0, or -1 when memory ran out, wk then freed) and zeroes its sums. */
static int FN(fn_conv_work_alloc)(FN(fn_conv_work) *wk, const fn_window *g, ptrdiff_t chunk,
                                  ptrdiff_t filters, int with_dx, int flip, int with_dact) {
    const ptrdiff_t k = g->c * g->fh * g->fw, rows = g->oh * g->ow;
    /* dx through the flipped filters needs d's patches: images·h·w rows of fh·fw·filters */
    size_t dcol_size = (size_t)(chunk * rows * k);
    const size_t flip_size = (size_t)(chunk * g->h * g->w * g->fh * g->fw * filters);
    if (flip && flip_size > dcol_size) dcol_size = flip_size;
    wk->col = FN(fn_conv_buffer)(g, chunk);
    wk->dcol = with_dx ? malloc((dcol_size ? dcol_size : 1) * sizeof(real)) : NULL;
    wk->dact = with_dact ? malloc((size_t)(chunk * rows * filters + 1) * sizeof(real)) : NULL;
    wk->part_dw = malloc((size_t)(2 * filters * k + filters + 1) * sizeof(real));
    if (!wk->col || !wk->part_dw || (with_dx && !wk->dcol) || (with_dact && !wk->dact)) {
        FN(fn_conv_work_free)(wk);
        return -1;
    }
    wk->sum_dwt = wk->part_dw + filters * k;
    wk->db = wk->sum_dwt + filters * k;
    for (ptrdiff_t i = 0; i < filters * k + filters; i++) wk->sum_dwt[i] = 0;
    return 0;
}

/* Working memory for nt threads, all or none (NULL). */
static FN(fn_conv_work) *FN(fn_conv_works)(int nt, const fn_window *g, ptrdiff_t chunk,
                                           ptrdiff_t filters, int with_dx, int flip,
                                           int with_dact) {
    FN(fn_conv_work) *works = calloc((size_t)nt, sizeof *works);
    for (int t = 0; works && t < nt; t++) {
        if (FN(fn_conv_work_alloc)(works + t, g, chunk, filters, with_dx, flip, with_dact)) {
            while (t-- > 0) FN(fn_conv_work_free)(works + t);
            free(works);
            return NULL;
        }
    }
    return works;
}

/* sum_dwt (k x filters) += colᵀ · d for one chunk (d as in fn_conv_chunk_grads):
 * straight from the image for one channel (conv_direct.h), else from the
 * chunk's patches with the GEMM. */
static int FN(fn_conv_chunk_dwt)(const fn_window *part, FN(fn_conv_work) *wk, const real *x,
                                 const ptrdiff_t xs[4], int channels_last, ptrdiff_t filters,
                                 const real *d, ptrdiff_t drs, ptrdiff_t dcs, ptrdiff_t d_image,
                                 int kernel) {
    if (dcs == 1 && (part->n == 1 || d_image == part->oh * part->ow * drs) &&
        fn_conv_direct_wanted(part, filters, kernel))
        return FN(fn_conv_direct_dwt)(part, x, xs, d, drs, filters, kernel, wk->sum_dwt);
    const ptrdiff_t k = part->c * part->fh * part->fw, m = part->n * part->oh * part->ow;
    FN(fn_patches)(part, x, xs, channels_last, wk->col);
    /* dW += (colᵀ · d)ᵀ. Multiplied as dWᵀ (k x filters), the product's
     * rows are the k patch columns and its columns the filters, an order
     * the packed GEMM runs faster at these shapes than dW = dᵀ · col (m =
     * filters, only 16..64 rows for its 12-row tiles). Summed as dWᵀ, one
     * flat add; transposed once. */
    const int status = FN(fn_gemm_packed)(k, filters, m, wk->col, 1, k, d, drs, dcs,
                                          wk->part_dw, filters, NULL, 0, kernel);
    for (ptrdiff_t i = 0; i < filters * k; i++) wk->sum_dwt[i] += wk->part_dw[i];
    return status;
}

/* One chunk's share of the gradients, from d, the gradient before the
 * activation (part->n images' rows (n, oh, ow) x filters; rows drs apart,
 * filters dcs apart, images d_image apart): sum_dwt += colᵀ·d, db += Σ d
 * (unless db is NULL: the caller sums it) and, unless dx is NULL, dx (the
 * chunk's first image) += the input gradient. */
static int FN(fn_conv_chunk_grads)(const fn_window *part, FN(fn_conv_work) *wk, const real *x,
                                   const ptrdiff_t xs[4], int channels_last, const real *w,
                                   ptrdiff_t filters, const real *d, ptrdiff_t drs,
                                   ptrdiff_t dcs, ptrdiff_t d_image, int kernel, real *db,
                                   real *dx, const ptrdiff_t ds[4], const real *w_flip) {
    const ptrdiff_t k = part->c * part->fh * part->fw, m = part->n * part->oh * part->ow;
    int status = FN(fn_conv_chunk_dwt)(part, wk, x, xs, channels_last, filters, d, drs, dcs,
                                       d_image, kernel);
    if (db) FN(fn_conv_db)(m, filters, d, drs, dcs, db);
    if (!dx || status != 0) return status;
    if (w_flip && dcs == 1) {
        const ptrdiff_t dstr[4] = {d_image, 1, part->ow * drs, drs};
        return FN(fn_conv_dx_flipped)(part, part->n, d, dstr, w_flip, filters, kernel,
                                      wk->dcol, dx);
    }
    /* dx += col2im(d · W) */
    status = FN(fn_gemm_packed)(m, k, filters, d, drs, dcs, w, k, 1, wk->dcol, k, NULL, 0,
                                kernel);
    FN(fn_unpatches)(part, wk->dcol, dx, ds, channels_last);
    return status;
}

/* dw (filters x k) := the threads' dWᵀ summed and transposed, db := their db
 * summed, in thread order (the same result on every run); then works is freed. */
static int FN(fn_conv_works_finish)(FN(fn_conv_work) *works, int nt, int status, ptrdiff_t k,
                                    ptrdiff_t filters, real *dw, real *db) {
    for (ptrdiff_t i = 0; status == 0 && i < k; i++)
        for (ptrdiff_t f = 0; f < filters; f++) {
            real sum = works[0].sum_dwt[i * filters + f];
            for (int t = 1; t < nt; t++) sum += works[t].sum_dwt[i * filters + f];
            dw[f * k + i] = sum;
        }
    for (ptrdiff_t f = 0; status == 0 && f < filters; f++) {
        real sum = works[0].db[f];
        for (int t = 1; t < nt; t++) sum += works[t].db[f];
        db[f] = sum;
    }
    for (int t = 0; t < nt; t++) FN(fn_conv_work_free)(works + t);
    free(works);
    return status;
}

int FN(fn_conv_backward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                         int channels_last, const real *w, ptrdiff_t filters, const real *dout,
                         const ptrdiff_t os[4], const real *y, const ptrdiff_t ys[4],
                         int activation, int kernel, real *dw, real *db, real *dx,
                         const ptrdiff_t ds[4], const real *w_flip) {
    const ptrdiff_t rows = g->oh * g->ow;
    /* dout (and y) viewed as matrices: row (n, oh, ow) at n·os[0] + r·os[3]
     * (os[2] = ow·os[3] was checked in Python), column f at f·os[1] */
    const int act = activation != FN_IDENTITY;
    const int uniform = os[0] == rows * os[3] && (!act || ys[0] == rows * ys[3]);
    ptrdiff_t chunk, chunks;
    const int nt = FN(fn_conv_plan)(g, uniform, FN_CONV_CHUNK_BYTES, filters, &chunk, &chunks);
    FN(fn_conv_work) *works = FN(fn_conv_works)(nt, g, chunk, filters, dx != NULL,
                                                w_flip != NULL, act);
    if (!works) return -1;
    int status = 0;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t i = 0; i < chunks; i++) {
        FN(fn_conv_work) *wk = works + fn_thread_num();
        ptrdiff_t n0;
        const fn_window part = FN(fn_conv_part)(g, i, chunk, &n0);
        /* the gradient before the activation, d (rows x filters), strides drs, dcs */
        const real *d = dout + n0 * os[0];
        ptrdiff_t drs = os[3], dcs = os[1], d_image = os[0];
        if (act) {  /* fused here, while this chunk of dout is in cache */
            FN(fn_conv_dact)(part.n * rows, filters, d, drs, dcs, y + n0 * ys[0], ys[3], ys[1],
                             activation, wk->dact);
            d = wk->dact;
            drs = filters;
            dcs = 1;
            d_image = rows * filters;
        }
        const int st = FN(fn_conv_chunk_grads)(&part, wk, x + n0 * xs[0], xs, channels_last, w,
                                               filters, d, drs, dcs, d_image, kernel, wk->db,
                                               dx ? dx + n0 * ds[0] : NULL, ds, w_flip);
        if (st != 0) {
#pragma omp atomic write
            status = st;
        }
    }
    return FN(fn_conv_works_finish)(works, nt, status, g->c * g->fh * g->fw, filters, dw, db);
}

/* The activation piece of the fused kernels, for a caller that multiplies
 * with another GEMM (NumPy's, where it is faster: backend/cython/conv_blas.py). */
void FN(fn_conv_activation_grad)(ptrdiff_t m, ptrdiff_t filters, const real *d, ptrdiff_t drs,
                                 ptrdiff_t dcs, const real *y, ptrdiff_t yrs, ptrdiff_t ycs,
                                 int activation, real *dact) {
    FN(fn_conv_dact)(m, filters, d, drs, dcs, y, yrs, ycs, activation, dact);
}
