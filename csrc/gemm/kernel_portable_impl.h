/* Rung 4 micro-kernel, portable C: C_tile := [C_tile +] Ã·B̃
 *
 * kc: depth; pa: MR x kc sliver of A, element (i, p) at pa[i*rs_pa + p*cs_pa]
 * (packed: strides 1, MR); pb: kc x NR packed sliver of B (NR contiguous
 * values per step p); c: the MR x NR tile of C, row stride ldc, written
 * (added to when `accumulate`); nr: the columns wanted (ignored: this kernel
 * always computes all NR).
 *
 * Each step p is an outer product of an MR column of A and an NR row of B:
 * MR*NR multiply-adds for MR+NR loads, the reuse packing bought. The tile
 * lives in a local accumulator; unrolling the i and j loops fully lets the
 * compiler keep it in vector registers, even with SSE2 alone (rolled loops
 * leave it in memory).
 */
#ifndef FN_KEEP_TILE_IN_REGISTERS
/* GCC otherwise "vectorises" the p loop across strided A and B loads, which
 * runs far slower than the plain unrolled loop body. */
#if defined(__GNUC__) && !defined(__clang__)
#define FN_KEEP_TILE_IN_REGISTERS __attribute__((optimize("no-tree-loop-vectorize")))
#else
#define FN_KEEP_TILE_IN_REGISTERS
#endif
#endif

/* A lone row of C, B read in place: c[0:n] := [c +] a·B over kc steps
 * (kernel_simd_impl.h's row_simd documents the arguments). Each element is
 * summed as kernel_portable sums it, so a row alone equals the row in a batch. */
static void FN(row_portable)(ptrdiff_t kc, const real *restrict a, ptrdiff_t cs_a,
                             const real *restrict b, ptrdiff_t rs_b, real *restrict c,
                             ptrdiff_t n, int accumulate) {
    for (ptrdiff_t j0 = 0; j0 < n; j0 += NR) {
        const ptrdiff_t width = n - j0 < NR ? n - j0 : NR;
        real acc[NR];
        for (ptrdiff_t j = 0; j < width; j++) acc[j] = 0;
        for (ptrdiff_t p = 0; p < kc; p++) {
            const real a_p = a[p * cs_a];
            for (ptrdiff_t j = 0; j < width; j++) acc[j] += a_p * b[p * rs_b + j0 + j];
        }
        for (ptrdiff_t j = 0; j < width; j++) {
            c[j0 + j] = accumulate ? c[j0 + j] + acc[j] : acc[j];
        }
    }
}

FN_KEEP_TILE_IN_REGISTERS
static void FN(kernel_portable)(ptrdiff_t kc, const real *restrict pa, ptrdiff_t rs_pa,
                                ptrdiff_t cs_pa, const real *restrict pb, real *restrict c,
                                ptrdiff_t ldc, int accumulate, ptrdiff_t nr) {
    (void)nr;
    real acc[MR][NR] __attribute__((aligned(64)));
    for (int i = 0; i < MR; i++) {
        for (int j = 0; j < NR; j++) acc[i][j] = 0;
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        const real *b_row = pb + p * NR;
        real a_col[MR];
        #pragma GCC unroll 8
        for (int i = 0; i < MR; i++) a_col[i] = pa[i * rs_pa + p * cs_pa];
        #pragma GCC unroll 8
        for (int i = 0; i < MR; i++) {
            #pragma GCC unroll 16
            for (int j = 0; j < NR; j++) acc[i][j] += a_col[i] * b_row[j];
        }
    }
    for (int i = 0; i < MR; i++) {
        for (int j = 0; j < NR; j++) {
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
        }
    }
}
