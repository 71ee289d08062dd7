/* The public col2im for one float type (included by im2col_impl.h, whose
 * definitions it uses: real, same_int and FN as there). At stride 1 each pixel
 * of dx is gathered: the sum of the col entries that land on it, written once,
 * so dx needs no zeroing pass and no read-modify-write; with AVX2, 5x5 float32
 * windows are summed as vectors instead (fn_gather_vec_fw). Other strides and
 * the channels-last order zero each image (in cache) and add the patches back
 * with fn_image_unpatches (the fused convolution's col2im). */

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
         * prefetchers follow badly. */
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
 * makes fw·fh scalar adds per pixel. Windows next to each other overlap in dx, so a
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
                        for (ptrdiff_t i = i_lo; i < i_hi; i++, r += next) {
                            const FN(fn_vec32) run = *(const FN(fn_vec32) *)r;
                            sum += (FN(fn_vec32))((ivec)run & in_run);
                        }
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
/* fn_gather_vec_fw with AVX2 for 5x5 windows (fn_gather_vectors): float32
 * only, whose 8 lanes hold a run of 5 (float64's 4 lanes do not). */
static __attribute__((noinline, target("avx2"))) void FN_AT(fn_gather_vec_5x5, avx2)(
    const fn_window *g, const real *coln, const real *col_end, real *dn) {
    if (sizeof(real) == 4) FN(fn_gather_vec_fw)(g, coln, col_end, dn, 5, 5);
}
#endif

/* Whether col2im takes the AVX2 fn_gather_vec_5x5: 5x5 float32 windows at stride 1,
 * dx in C order, an AVX2 CPU, and an image's col small enough to stay in L2
 * (256 KiB) through the V passes that read it (past L2 the passes are slower
 * than the scalar gather). */
static int FN(fn_gather_vectors)(const fn_window *g, const ptrdiff_t ds[4], int channels_last) {
#ifdef FN_IM2COL_AVX2
    const int c_order = ds[3] == 1 && ds[2] == g->w && ds[1] == g->h * g->w;
    const size_t image = (size_t)(g->oh * g->ow * g->c * g->fh * g->fw) * sizeof(real);
    return sizeof(real) == 4 && g->fh == 5 && g->fw == 5 && g->stride == 1 && !channels_last &&
           c_order && image <= (size_t)256 * 1024 && fn_simd_level() >= FN_AVX2;
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
            FN_AT(fn_gather_vec_5x5, avx2)(g, col + n * rows * k, col + g->n * rows * k,
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
