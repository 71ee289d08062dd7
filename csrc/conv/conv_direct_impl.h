/* The direct single-channel convolution (conv_direct.h) for one float type
 * and one instruction set. Before including, define
 *   real      float or double;  same_int  an integer type as wide as real
 *   FN(x)     the name suffix, e.g. x##_f32_avx512
 *   VBYTES    the vector width in bytes (16, 32 or 64)
 *   ACC       how many vector registers may hold accumulators
 * as conv_direct.c, conv_direct_avx2.c and conv_direct_avx512.c do.
 *
 * Both kernels hold a block of accumulators in registers: nv vectors of
 * filters (the lanes) times q output pixels (forward) or q filter taps (dW).
 * GCC's vector extensions write them once for every width; nv and q are
 * constants in each instantiation (the switch in FN(forward_any) and
 * FN(dwt_any)), so the loops over them unroll and nothing spills.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if VBYTES == 64 || VBYTES == 32
#include <immintrin.h>
#endif

#define VLEN (VBYTES / (int)sizeof(real)) /* values per vector register */
#define NVMAX 4                            /* vectors of filters per block; more filters loop */
/* A block of nv vectors covers q in [QLO, QMAX] pixels or taps: at most ACC
 * accumulators; the lower bound lets any count be cut into near-equal blocks
 * (ceil(count / blocks) > QMAX / 2) with only those q instantiated. */
#define QMAX(nv) (ACC / (nv) < 12 ? ACC / (nv) : 12)
#define QLO(nv) (QMAX(nv) / 2 + 1)

typedef real FN(dvec) __attribute__((vector_size(VBYTES)));
typedef real FN(dvec_u) __attribute__((vector_size(VBYTES), aligned(sizeof(real)), may_alias));
typedef same_int FN(divec) __attribute__((vector_size(VBYTES)));
typedef same_int FN(divec_u)
    __attribute__((vector_size(VBYTES), aligned(sizeof(same_int)), may_alias));

/* The first `count` (< VLEN) lanes of a vector at src / to dst: the last,
 * partial vector of filters when filters is not a multiple of VLEN. The
 * masked forms never touch the lanes past count (no read past an array). */
static inline FN(dvec) FN(load_part)(const real *src, int count) {
#if VBYTES == 64 && defined(__AVX512F__)
    const unsigned mask = (1u << count) - 1;
    if (sizeof(real) == 4) return (FN(dvec))_mm512_maskz_loadu_ps((__mmask16)mask, src);
    return (FN(dvec))_mm512_maskz_loadu_pd((__mmask8)mask, src);
#elif VBYTES == 32 && defined(__AVX2__)
    static const same_int lanes[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    const __m256i mask = (__m256i)(*(const FN(divec_u) *)lanes < (same_int)count);
    if (sizeof(real) == 4) return (FN(dvec))_mm256_maskload_ps((const float *)src, mask);
    return (FN(dvec))_mm256_maskload_pd((const double *)src, mask);
#else
    FN(dvec) v = {0};
    for (int l = 0; l < count; l++) v[l] = src[l];
    return v;
#endif
}

static inline void FN(store_part)(real *dst, FN(dvec) v, int count) {
#if VBYTES == 64 && defined(__AVX512F__)
    const unsigned mask = (1u << count) - 1;
    if (sizeof(real) == 4) _mm512_mask_storeu_ps(dst, (__mmask16)mask, (__m512)v);
    else _mm512_mask_storeu_pd(dst, (__mmask8)mask, (__m512d)v);
#elif VBYTES == 32 && defined(__AVX2__)
    static const same_int lanes[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    const __m256i mask = (__m256i)(*(const FN(divec_u) *)lanes < (same_int)count);
    if (sizeof(real) == 4) _mm256_maskstore_ps((float *)dst, mask, (__m256)v);
    else _mm256_maskstore_pd((double *)dst, mask, (__m256d)v);
#else
    for (int l = 0; l < count; l++) dst[l] = v[l];
#endif
}

/* q for `count` pixels or taps in blocks of nv vectors: blocks as equal as
 * possible, at least QLO(nv) (a short count then computes a few unused ones). */
static ptrdiff_t FN(block_size)(ptrdiff_t nv, ptrdiff_t count) {
    const ptrdiff_t qmax = QMAX(nv), blocks = count > qmax ? (count + qmax - 1) / qmax : 1;
    const ptrdiff_t q = (count + blocks - 1) / blocks;
    return q < QLO(nv) ? QLO(nv) : q;
}

/* 64-byte aligned memory (whole vectors are loaded from it), or NULL; free()d
 * like malloc's (posix_memalign, as the GEMM's packing buffers). */
static void *FN(aligned)(size_t bytes) {
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? bytes : 1) == 0 ? p : NULL;
}

/* buf (hp x wp, C order) := image xn zero-padded by g->pad on the top and
 * left, zeros on the right and bottom up to wp and hp. */
static void FN(pad_image)(const fn_window *g, const real *xn, const ptrdiff_t xs[4], real *buf,
                          ptrdiff_t hp, ptrdiff_t wp) {
    memset(buf, 0, (size_t)(hp * wp) * sizeof(real));
    for (ptrdiff_t y = 0; y < g->h; y++) {
        real *row = buf + (y + g->pad) * wp + g->pad;
        for (ptrdiff_t z = 0; z < g->w; z++) row[z] = xn[y * xs[2] + z * xs[3]];
    }
}

/* ------------------------------------------------------------- forward */

/* out[p, f] := act(bias[f] + Σ_{i,j} xb[i·wp + p·stride + j]·wt[i·fw + j, f])
 * for q pixels p of one output row and the nv vectors of filters that start
 * at wt, bias and out: per tap, nv weight vectors are loaded once and each
 * pixel's value is broadcast into nv fused multiply-adds. Only the first
 * `pixels` pixels and `lanes` filters are stored. `unit` (stride 1) makes
 * the pixels' offsets constants. */
static inline __attribute__((always_inline)) void FN(forward_block)(
    int nv, int q, int unit, const real *xb, ptrdiff_t wp, ptrdiff_t stride, ptrdiff_t fh,
    ptrdiff_t fw, const real *wt, ptrdiff_t fpad, const real *bias, int relu, real *out,
    ptrdiff_t ldo, ptrdiff_t pixels, ptrdiff_t lanes) {
    const ptrdiff_t s = unit ? 1 : stride;
    FN(dvec) acc[12][NVMAX];
    #pragma GCC unroll 12
    for (int p = 0; p < q; p++) {
        #pragma GCC unroll 4
        for (int v = 0; v < nv; v++) acc[p][v] = *(const FN(dvec) *)(bias + v * VLEN);
    }
    for (ptrdiff_t i = 0; i < fh; i++) {
        const real *xi = xb + i * wp, *wi = wt + i * fw * fpad;
        for (ptrdiff_t j = 0; j < fw; j++) {
            FN(dvec) wv[NVMAX];
            #pragma GCC unroll 4
            for (int v = 0; v < nv; v++) wv[v] = *(const FN(dvec) *)(wi + j * fpad + v * VLEN);
            #pragma GCC unroll 12
            for (int p = 0; p < q; p++) {
                const real xv = xi[p * s + j];
                #pragma GCC unroll 4
                for (int v = 0; v < nv; v++) acc[p][v] += xv * wv[v];
            }
        }
    }
    #pragma GCC unroll 12
    for (int p = 0; p < q; p++) {
        if (p >= pixels) break; /* the row's last block may run past its end */
        #pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            FN(dvec) a = acc[p][v];
            /* relu: x < 0 ? 0 : x by masking the bits (NaN stays NaN, like the epilogue) */
            if (relu) a = (FN(dvec))((FN(divec))a & ~(a < (FN(dvec)){0}));
            real *dst = out + p * ldo + v * VLEN;
            const ptrdiff_t left = lanes - v * VLEN;
            if (left >= VLEN) *(FN(dvec_u) *)dst = a;
            else if (left > 0) FN(store_part)(dst, a, (int)left);
        }
    }
}

/* The cases (nv, q) of the block kernels, nv in 1..4 and q in 1..12; those
 * outside [QLO(nv), QMAX(nv)] are never asked for and compile to nothing. */
#define FN_CD_CASE(CALL, nv, q) \
    case (nv) * 16 + (q):       \
        if ((q) >= QLO(nv) && (q) <= QMAX(nv)) CALL(nv, q); \
        break;
#define FN_CD_CASES_NV(CALL, nv)                                                            \
    FN_CD_CASE(CALL, nv, 1) FN_CD_CASE(CALL, nv, 2) FN_CD_CASE(CALL, nv, 3)                 \
    FN_CD_CASE(CALL, nv, 4) FN_CD_CASE(CALL, nv, 5) FN_CD_CASE(CALL, nv, 6)                 \
    FN_CD_CASE(CALL, nv, 7) FN_CD_CASE(CALL, nv, 8) FN_CD_CASE(CALL, nv, 9)                 \
    FN_CD_CASE(CALL, nv, 10) FN_CD_CASE(CALL, nv, 11) FN_CD_CASE(CALL, nv, 12)
#define FN_CD_CASES(CALL) \
    FN_CD_CASES_NV(CALL, 1) FN_CD_CASES_NV(CALL, 2) FN_CD_CASES_NV(CALL, 3) FN_CD_CASES_NV(CALL, 4)

/* GCC's predictive commoning would carry x values from tap j to tap j + 1
 * (pixel p + 1 at tap j reads what pixel p reads at j + 1) in scalar
 * registers, spilling them; a broadcast straight from L1 is cheaper. */
#if defined(__GNUC__) && !defined(__clang__)
#define FN_CD_NO_COMMONING __attribute__((optimize("no-predictive-commoning")))
#else
#define FN_CD_NO_COMMONING
#endif

static FN_CD_NO_COMMONING void FN(forward_any)(int nv, int q, const real *xb, ptrdiff_t wp, ptrdiff_t stride,
                            ptrdiff_t fh, ptrdiff_t fw, const real *wt, ptrdiff_t fpad,
                            const real *bias, int relu, real *out, ptrdiff_t ldo,
                            ptrdiff_t pixels, ptrdiff_t lanes) {
#define FN_CD_CALL(nv_, q_)                                                                   \
    do {                                                                                      \
        if (stride == 1)                                                                      \
            FN(forward_block)(nv_, q_, 1, xb, wp, 1, fh, fw, wt, fpad, bias, relu, out, ldo,  \
                              pixels, lanes);                                                 \
        else                                                                                  \
            FN(forward_block)(nv_, q_, 0, xb, wp, stride, fh, fw, wt, fpad, bias, relu, out,  \
                              ldo, pixels, lanes);                                            \
    } while (0)
    switch (nv * 16 + q) { FN_CD_CASES(FN_CD_CALL) }
#undef FN_CD_CALL
}

/* The filters' vectors are cut into groups of at most NVMAX, as equal as
 * possible: this many vectors in each group but perhaps the last. */
static ptrdiff_t FN(group_vectors)(ptrdiff_t nvec) {
    const ptrdiff_t groups = (nvec + NVMAX - 1) / NVMAX;
    return groups ? (nvec + groups - 1) / groups : 1;
}

int FN(fn_conv_direct_forward)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                               const real *w, ptrdiff_t filters, const real *bias, int relu,
                               real *out) {
    const ptrdiff_t taps = g->fh * g->fw, nvec = (filters + VLEN - 1) / VLEN, fpad = nvec * VLEN;
    const ptrdiff_t gnv = FN(group_vectors)(nvec);
    /* A block computes q outputs of a row even past its end, stepping `step`
     * pixels for each. With one output per row the step is never used for a
     * stored one, and the stride may be anything up to 2^63 (a window larger
     * than the image is legal): step 1 then, so the unused outputs read
     * neighbours instead of pixels a stride away. Otherwise ow outputs a
     * stride apart fit in the padded width, and a block overshoots its row's
     * end by less than q strides. */
    const ptrdiff_t step = g->ow > 1 ? g->stride : 1;
    /* each image padded once, wide enough for its last block's unused pixels */
    const ptrdiff_t hp = g->h + 2 * g->pad;
    ptrdiff_t wp = g->w + 2 * g->pad;
    for (ptrdiff_t v0 = 0; v0 < nvec; v0 += gnv) {
        const ptrdiff_t nv = nvec - v0 < gnv ? nvec - v0 : gnv, q = FN(block_size)(nv, g->ow);
        const ptrdiff_t blocks = (g->ow + q - 1) / q, need = (blocks * q - 1) * step + g->fw;
        if (need > wp) wp = need;
    }
    /* Wᵀ (taps x fpad) and the bias, zero past `filters`: whole aligned vectors */
    real *wt = FN(aligned)((size_t)((taps + 1) * fpad) * sizeof(real));
    const int nt = fn_threads_for((size_t)(g->n * g->oh * g->ow * taps * filters));
    real *bufs = malloc((size_t)(nt * hp * wp + 1) * sizeof(real));
    if (!wt || !bufs) {
        free(wt);
        free(bufs);
        return -1;
    }
    real *bias_pad = wt + taps * fpad;
    for (ptrdiff_t f = 0; f < fpad; f++) {
        for (ptrdiff_t t = 0; t < taps; t++) wt[t * fpad + f] = f < filters ? w[f * taps + t] : 0;
        bias_pad[f] = f < filters ? bias[f] : 0;
    }
    #pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
        real *buf = bufs + fn_thread_num() * hp * wp;
        FN(pad_image)(g, x + n * xs[0], xs, buf, hp, wp);
        for (ptrdiff_t oh = 0; oh < g->oh; oh++) {
            real *orow = out + (n * g->oh + oh) * g->ow * filters;
            const real *xrow = buf + oh * g->stride * wp;
            for (ptrdiff_t v0 = 0; v0 < nvec; v0 += gnv) {
                const ptrdiff_t nv = nvec - v0 < gnv ? nvec - v0 : gnv;
                const ptrdiff_t q = FN(block_size)(nv, g->ow), f0 = v0 * VLEN;
                for (ptrdiff_t p0 = 0; p0 < g->ow; p0 += q)
                    FN(forward_any)((int)nv, (int)q, xrow + p0 * step, wp, step, g->fh,
                                    g->fw, wt + f0, fpad, bias_pad + f0, relu,
                                    orow + p0 * filters + f0, filters, g->ow - p0, filters - f0);
            }
        }
    }
    free(wt);
    free(bufs);
    return 0;
}

/* ------------------------------------------------------------ dW */

/* acc[t, f] += Σ_{oh,c} x[oh·stride·wp + c·stride + off[t]]·d[(oh·ow + c)·drs + f]
 * over the oh x ow pixels of one image, for q taps t (their offsets in the
 * padded image x) and the nv vectors of filters that start at d and acc: per
 * pixel, nv vectors of d are loaded once and each tap's value is broadcast
 * into nv fused multiply-adds; acc stays in registers for the whole image.
 * d's rows hold whole vectors (see FN(whole_vectors)). */
static inline __attribute__((always_inline)) void FN(dwt_block)(
    int nv, int q, const real *x, ptrdiff_t wp, const ptrdiff_t *off, ptrdiff_t stride,
    ptrdiff_t oh, ptrdiff_t ow, const real *d, ptrdiff_t drs, real *acc_mem, ptrdiff_t fpad) {
    FN(dvec) acc[12][NVMAX];
    ptrdiff_t o[12];
    #pragma GCC unroll 12
    for (int t = 0; t < q; t++) {
        o[t] = off[t];
        #pragma GCC unroll 4
        for (int v = 0; v < nv; v++) acc[t][v] = *(FN(dvec) *)(acc_mem + t * fpad + v * VLEN);
    }
    for (ptrdiff_t y = 0; y < oh; y++) {
        const real *xr = x + y * stride * wp, *dr = d + y * ow * drs;
        for (ptrdiff_t c = 0; c < ow; c++) {
            const real *dc = dr + c * drs, *xc = xr + c * stride;
            FN(dvec) dv[NVMAX];
            #pragma GCC unroll 4
            for (int v = 0; v < nv; v++) dv[v] = *(const FN(dvec_u) *)(dc + v * VLEN);
            #pragma GCC unroll 12
            for (int t = 0; t < q; t++) {
                const real xv = xc[o[t]];
                #pragma GCC unroll 4
                for (int v = 0; v < nv; v++) acc[t][v] += xv * dv[v];
            }
        }
    }
    #pragma GCC unroll 12
    for (int t = 0; t < q; t++) {
        #pragma GCC unroll 4
        for (int v = 0; v < nv; v++) *(FN(dvec) *)(acc_mem + t * fpad + v * VLEN) = acc[t][v];
    }
}

static void FN(dwt_any)(int nv, int q, const real *x, ptrdiff_t wp, const ptrdiff_t *off,
                        ptrdiff_t stride, ptrdiff_t oh, ptrdiff_t ow, const real *d,
                        ptrdiff_t drs, real *acc_mem, ptrdiff_t fpad) {
#define FN_CD_CALL(nv_, q_) \
    FN(dwt_block)(nv_, q_, x, wp, off, stride, oh, ow, d, drs, acc_mem, fpad)
    switch (nv * 16 + q) { FN_CD_CASES(FN_CD_CALL) }
#undef FN_CD_CALL
}

/* d's rows as whole vectors. When filters is not a multiple of VLEN, a
 * row's last vector runs past the row's end: harmless (those lanes add into
 * accumulators that are never read) while it stays inside d (`more`: the
 * images after this one hold at least the fpad - filters values it reads
 * on); otherwise (the last images, or few filters and few rows) this
 * image's `rows` rows are copied to buf (rows x fpad, zeros past filters)
 * instead of doing a masked load in every block. */
static const real *FN(whole_vectors)(const real *d, ptrdiff_t drs, ptrdiff_t rows,
                                     ptrdiff_t filters, ptrdiff_t fpad, int more, real *buf,
                                     ptrdiff_t *rs) {
    if (filters == fpad || more) {
        *rs = drs;
        return d;
    }
    const ptrdiff_t last = filters / VLEN * VLEN;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t f = 0; f < last; f += VLEN)
            *(FN(dvec) *)(buf + r * fpad + f) = *(const FN(dvec_u) *)(d + r * drs + f);
        *(FN(dvec) *)(buf + r * fpad + last) = FN(load_part)(d + r * drs + last,
                                                             (int)(filters - last));
    }
    *rs = fpad;
    return buf;
}

int FN(fn_conv_direct_dwt)(const fn_window *g, const real *x, const ptrdiff_t xs[4],
                           const real *d, ptrdiff_t drs, ptrdiff_t filters, real *dwt) {
    const ptrdiff_t taps = g->fh * g->fw, nvec = (filters + VLEN - 1) / VLEN, fpad = nvec * VLEN;
    const ptrdiff_t rows = g->oh * g->ow;
    const ptrdiff_t gnv = FN(group_vectors)(nvec);
    const ptrdiff_t hp = g->h + 2 * g->pad, wp = g->w + 2 * g->pad;
    /* taps rounded up to whole blocks; the extra ones read offset 0 and
     * accumulate into rows of acc that are never added to dwt */
    ptrdiff_t tpad = taps;
    for (ptrdiff_t v0 = 0; v0 < nvec; v0 += gnv) {
        const ptrdiff_t nv = nvec - v0 < gnv ? nvec - v0 : gnv, q = FN(block_size)(nv, taps);
        const ptrdiff_t need = (taps + q - 1) / q * q;
        if (need > tpad) tpad = need;
    }
    const int nt = fn_threads_for((size_t)(g->n * rows * taps * filters));
    /* per thread, aligned: its dWᵀ (tpad x fpad) and one image's d as whole
     * vectors (rows x fpad); and its padded image */
    const ptrdiff_t acc_size = (tpad * fpad + 15) / 16 * 16;
    const ptrdiff_t own_size = acc_size + (filters == fpad ? 0 : (rows * fpad + 15) / 16 * 16);
    real *owns = FN(aligned)((size_t)(nt * own_size) * sizeof(real));
    real *bufs = malloc((size_t)(nt * hp * wp + 1) * sizeof(real));
    ptrdiff_t *off = malloc((size_t)tpad * sizeof(ptrdiff_t));
    if (!owns || !bufs || !off) {
        free(owns);
        free(bufs);
        free(off);
        return -1;
    }
    for (int i = 0; i < nt; i++) memset(owns + i * own_size, 0, (size_t)acc_size * sizeof(real));
    for (ptrdiff_t t = 0; t < tpad; t++) off[t] = t < taps ? t / g->fw * wp + t % g->fw : 0;
    #pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (ptrdiff_t n = 0; n < g->n; n++) {
        real *buf = bufs + fn_thread_num() * hp * wp, *acc = owns + fn_thread_num() * own_size;
        FN(pad_image)(g, x + n * xs[0], xs, buf, hp, wp);
        ptrdiff_t rs;
        const int more = (g->n - 1 - n) * rows * drs >= fpad - filters;
        const real *dn = FN(whole_vectors)(d + n * rows * drs, drs, rows, filters, fpad, more,
                                           acc + acc_size, &rs);
        for (ptrdiff_t v0 = 0; v0 < nvec; v0 += gnv) {
            const ptrdiff_t nv = nvec - v0 < gnv ? nvec - v0 : gnv;
            const ptrdiff_t q = FN(block_size)(nv, taps), f0 = v0 * VLEN;
            for (ptrdiff_t t0 = 0; t0 < taps; t0 += q)
                FN(dwt_any)((int)nv, (int)q, buf, wp, off + t0, g->stride, g->oh, g->ow,
                            dn + f0, rs, acc + t0 * fpad + f0, fpad);
        }
    }
    /* the threads' sums, in thread order (the same result on every run) */
    for (int i = 0; i < nt; i++)
        for (ptrdiff_t t = 0; t < taps; t++)
            for (ptrdiff_t f = 0; f < filters; f++)
                dwt[t * filters + f] += owns[i * own_size + t * fpad + f];
    free(owns);
    free(bufs);
    free(off);
    return 0;
}

#undef FN_CD_CASE
#undef FN_CD_CASES_NV
#undef FN_CD_CASES
#undef FN_CD_NO_COMMONING
#undef VLEN
#undef NVMAX
#undef QMAX
#undef QLO
