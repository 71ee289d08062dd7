/* Rungs 5 and 6, the SIMD micro-kernel: C_tile := [C_tile +] Ã·B̃
 *
 * kc: depth; pa: MR x kc sliver of A, element (i, p) at pa[i*rs_pa + p*cs_pa];
 * pb: kc x NR packed sliver of B, 64-byte aligned; c: the MR x NR tile of C,
 * row stride ldc, written (added to when `accumulate`); nr: how many of its
 * columns are wanted. VBYTES, the vector width in bytes, is set by the file
 * that includes this once per dtype: 32 in kernel_avx2.c (compiled with
 * -mavx2 -mfma), 64 in kernel_avx512.c (compiled with -mavx512f).
 *
 * The portable kernel's loop with the NR-wide rows of B and of the
 * accumulator held as NR/VLEN vector registers (GCC vector extensions): each
 * step loads a B row into NR/VLEN registers, broadcasts each of the MR
 * values of A and issues MR x NR/VLEN fused multiply-adds into the
 * accumulator registers (AVX2: 6 x 2 = 12 of 16; AVX-512: 12 x 2 = 24 of 32).
 */
#define VLEN (VBYTES / (int)sizeof(real)) /* values per vector register */
#define NV (NR / VLEN)

typedef real FN(vec) __attribute__((vector_size(VBYTES)));
/* The same vector at any address of a real: rows of C need not be aligned. */
typedef real FN(vec_unaligned)
    __attribute__((vector_size(VBYTES), aligned(sizeof(real)), may_alias));

/* The tile's first `nv` vectors of columns; nv is a constant in each caller,
 * so the loops unroll and the accumulators stay in registers. */
static inline __attribute__((always_inline)) void FN(tile_simd)(
    int nv, ptrdiff_t kc, const real *restrict pa, ptrdiff_t rs_pa, ptrdiff_t cs_pa,
    const real *restrict pb, real *restrict c, ptrdiff_t ldc, int accumulate) {
    FN(vec) acc[MR][NV];
    for (int i = 0; i < MR; i++) {
        for (int v = 0; v < nv; v++) acc[i][v] = (FN(vec)){0};
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        FN(vec) b_row[NV];
        for (int v = 0; v < nv; v++) b_row[v] = *(const FN(vec) *)(pb + p * NR + v * VLEN);
        for (int i = 0; i < MR; i++) {
            const real a_ip = pa[i * rs_pa + p * cs_pa]; /* broadcast to every lane below */
            for (int v = 0; v < nv; v++) acc[i][v] += a_ip * b_row[v];
        }
    }
    #pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
        #pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            FN(vec_unaligned) *dst = (FN(vec_unaligned) *)(c + i * ldc + v * VLEN);
            if (accumulate) acc[i][v] += *dst;
            *dst = acc[i][v];
        }
    }
}

/* Half a vector register (SSE's 16 bytes under AVX2): the edge tile's type
 * when at most half a vector of its columns is wanted. */
#define HALF_VLEN (VLEN / 2)
typedef real FN(half_vec) __attribute__((vector_size(VBYTES / 2)));
typedef real FN(half_vec_unaligned)
    __attribute__((vector_size(VBYTES / 2), aligned(sizeof(real)), may_alias));

/* The tile's first half vector of columns, summed as tile_simd sums them. */
static void FN(tile_half)(ptrdiff_t kc, const real *restrict pa, ptrdiff_t rs_pa,
                          ptrdiff_t cs_pa, const real *restrict pb, real *restrict c,
                          ptrdiff_t ldc, int accumulate) {
    FN(half_vec) acc[MR];
    for (int i = 0; i < MR; i++) acc[i] = (FN(half_vec)){0};
    for (ptrdiff_t p = 0; p < kc; p++) {
        const FN(half_vec) b_row = *(const FN(half_vec) *)(pb + p * NR);
        for (int i = 0; i < MR; i++) acc[i] += pa[i * rs_pa + p * cs_pa] * b_row;
    }
    for (int i = 0; i < MR; i++) {
        FN(half_vec_unaligned) *dst = (FN(half_vec_unaligned) *)(c + i * ldc);
        if (accumulate) acc[i] += *dst;
        *dst = acc[i];
    }
}

/* nr: the valid columns of the tile. An edge tile of at most one vector's
 * width (e.g. the last 2 of n = 50) computes only that vector, and one of at
 * most half a vector only that half: CPUs that execute a wide vector as two
 * halves (AMD Zen 1 under AVX2, Zen 4 under AVX-512) then do a quarter of a
 * full tile's work, others the same as with a whole vector. The rest of c
 * is left as it was. (Splitting the 6 accumulators into 12 to hide the FMA
 * latency measured no faster.) Every lane sums its element in the same
 * order, so the width chosen never changes a result. */
static void FN(kernel_simd)(ptrdiff_t kc, const real *restrict pa, ptrdiff_t rs_pa,
                            ptrdiff_t cs_pa, const real *restrict pb, real *restrict c,
                            ptrdiff_t ldc, int accumulate, ptrdiff_t nr) {
    if (nr <= HALF_VLEN) {
        FN(tile_half)(kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate);
    } else if (nr <= VLEN) {
        FN(tile_simd)(1, kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate);
    } else {
        FN(tile_simd)(NV, kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate);
    }
}

/* A lone row of C, B read in place: c[0:n] := [c +] a·B over kc steps.
 *
 * a: kc values at stride cs_a; b: kc rows of n contiguous values, row stride
 * rs_b; c: n values, written (added to when `accumulate`). Every element is
 * summed as tile_simd sums it (from 0, one multiply-add per step in step
 * order, then c added), so a row computed alone equals the same row computed
 * in a batch, bit for bit, without packing B for a single use of each value.
 * Each pass over B sums up to ROW_VECTORS vectors of columns in registers;
 * the last columns short of a vector are summed as scalars, which round as
 * the vector lanes do (one fused multiply-add each where the build has FMA). */
#define ROW_VECTORS 8

/* One pass: `nv` (a constant in each caller, so the accumulators stay in
 * registers) vectors of columns starting at c, then `rest` scalar columns. */
static inline __attribute__((always_inline)) void FN(row_pass)(
    int nv, ptrdiff_t rest, ptrdiff_t kc, const real *restrict a, ptrdiff_t cs_a,
    const real *restrict b, ptrdiff_t rs_b, real *restrict c, int accumulate) {
    FN(vec) acc[ROW_VECTORS];
    real tail[VLEN];
    for (int v = 0; v < nv; v++) acc[v] = (FN(vec)){0};
    for (ptrdiff_t t = 0; t < rest; t++) tail[t] = 0;
    for (ptrdiff_t p = 0; p < kc; p++) {
        const real a_p = a[p * cs_a];
        const real *b_row = b + p * rs_b;
        for (int v = 0; v < nv; v++) {
            acc[v] += a_p * *(const FN(vec_unaligned) *)(b_row + v * VLEN);
        }
        for (ptrdiff_t t = 0; t < rest; t++) tail[t] += a_p * b_row[nv * VLEN + t];
    }
    for (int v = 0; v < nv; v++) {
        FN(vec_unaligned) *dst = (FN(vec_unaligned) *)(c + v * VLEN);
        if (accumulate) acc[v] += *dst;
        *dst = acc[v];
    }
    for (ptrdiff_t t = 0; t < rest; t++) {
        real *dst = c + nv * VLEN + t;
        *dst = accumulate ? tail[t] + *dst : tail[t];
    }
}

static void FN(row_simd)(ptrdiff_t kc, const real *restrict a, ptrdiff_t cs_a,
                         const real *restrict b, ptrdiff_t rs_b, real *restrict c, ptrdiff_t n,
                         int accumulate) {
    ptrdiff_t j = 0;
    for (; n - j >= ROW_VECTORS * VLEN + VLEN; j += ROW_VECTORS * VLEN) {
        FN(row_pass)(ROW_VECTORS, 0, kc, a, cs_a, b + j, rs_b, c + j, accumulate);
    }
    /* The last pass: what is left, up to ROW_VECTORS vectors and a part of one. */
    const ptrdiff_t rest = (n - j) % VLEN;
    b += j;
    c += j;
    switch ((n - j) / VLEN) {
    case 0: FN(row_pass)(0, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 1: FN(row_pass)(1, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 2: FN(row_pass)(2, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 3: FN(row_pass)(3, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 4: FN(row_pass)(4, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 5: FN(row_pass)(5, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 6: FN(row_pass)(6, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    case 7: FN(row_pass)(7, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    default: FN(row_pass)(8, rest, kc, a, cs_a, b, rs_b, c, accumulate); break;
    }
}
#undef ROW_VECTORS

/* The FMA roof, for benchmarks: `steps` rounds of MR x NV independent
 * multiply-adds on whole vectors with nothing loaded or stored, the most
 * flops per second this instruction set reaches on one core; GEMM's
 * "% of peak" is measured against it. Returns the flops done. */
static double FN(fma_roof)(long steps) {
    const FN(vec) x = (FN(vec)){0} + (real)0.999, y = (FN(vec)){0} + (real)1e-3;
    FN(vec) acc[MR][NV];
    for (int i = 0; i < MR; i++) {
        for (int v = 0; v < NV; v++) acc[i][v] = (FN(vec)){0} + (real)(i + v);
    }
    for (long s = 0; s < steps; s++) {
        for (int i = 0; i < MR; i++) {
            for (int v = 0; v < NV; v++) acc[i][v] = acc[i][v] * x + y;
        }
    }
    real total = 0;
    for (int i = 0; i < MR; i++) {
        for (int v = 0; v < NV; v++) total += acc[i][v][0];
    }
    /* Reading the result keeps the compiler from removing the loop; it is
     * never -1 (all values stay positive). */
    return 2.0 * (double)steps * MR * NV * VLEN + (total == (real)-1);
}

#undef VLEN
#undef HALF_VLEN
#undef NV
