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
