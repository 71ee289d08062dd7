/* Rung 5 micro-kernel, AVX2+FMA: C_tile := [C_tile +] Ã·B̃
 *
 * kc: depth; pa: MR x kc sliver of A, element (i, p) at pa[i*rs_pa + p*cs_pa];
 * pb: kc x NR packed sliver of B, 64-byte aligned; c: the MR x NR tile of C,
 * row stride ldc, written (added to when `accumulate`); nr: how many of its
 * columns are wanted. Included once per dtype by kernel_avx2.c, the one file
 * compiled with -mavx2 -mfma.
 *
 * The portable kernel's loop with the NR-wide rows of B and of the
 * accumulator held as NR/VLEN 256-bit vectors (GCC vector extensions): each
 * step loads a B row into 2 registers, broadcasts each of the MR values of A
 * and issues MR x 2 fused multiply-adds into 12 accumulator registers.
 */
#define VLEN (32 / (int)sizeof(real)) /* values per 256-bit register */
#define NV (NR / VLEN)

typedef real FN(vec) __attribute__((vector_size(32)));
/* The same vector at any address of a real: rows of C need not be 32-byte aligned. */
typedef real FN(vec_unaligned) __attribute__((vector_size(32), aligned(sizeof(real)), may_alias));

/* The tile's first `nv` vectors of columns; nv is a constant in each caller,
 * so the loops unroll and the accumulators stay in registers. */
static inline __attribute__((always_inline)) void FN(tile_avx2)(
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
    #pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
        #pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            FN(vec_unaligned) *dst = (FN(vec_unaligned) *)(c + i * ldc + v * VLEN);
            if (accumulate) acc[i][v] += *dst;
            *dst = acc[i][v];
        }
    }
}

/* nr: the valid columns of the tile. An edge tile of at most one vector's
 * width (e.g. the last 2 of n = 50) computes only that vector, half the
 * work; the rest of c is then left as it was. (Splitting its 6 accumulators
 * into 12 to hide the FMA latency measured no faster.) */
void FN(fn_gemm_kernel_avx2)(ptrdiff_t kc, const real *restrict pa, ptrdiff_t rs_pa,
                             ptrdiff_t cs_pa, const real *restrict pb, real *restrict c,
                             ptrdiff_t ldc, int accumulate, ptrdiff_t nr) {
    if (nr <= VLEN) {
        FN(tile_avx2)(1, kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate);
    } else {
        FN(tile_avx2)(NV, kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate);
    }
}

#undef VLEN
#undef NV
