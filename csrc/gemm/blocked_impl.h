/* Rung 3 — cache-blocked GEMM: C := A·B
 *
 * a: (m, k) view (rs_a, cs_a); b: (k, n) view (rs_b, cs_b); c: (m, n)
 * row-major with row stride ldc, written. Block sizes BLOCK_M/K/N come from
 * gemm_f32.c / gemm_f64.c.
 *
 * Rung 2 streams all of B through the cache once per row of C. Here the
 * i-k-j loops run over a BLOCK_K x BLOCK_N tile of B at a time, small enough
 * to stay in L2 while BLOCK_M rows of C reuse it; edge tiles are just
 * shorter (the min() bounds), so any size works.
 */
void FN(fn_gemm_blocked)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                         const real *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                         const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                         real *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = 0;
    }
    for (ptrdiff_t j0 = 0; j0 < n; j0 += BLOCK_N) {
        const ptrdiff_t j1 = j0 + BLOCK_N < n ? j0 + BLOCK_N : n;
        for (ptrdiff_t p0 = 0; p0 < k; p0 += BLOCK_K) {
            const ptrdiff_t p1 = p0 + BLOCK_K < k ? p0 + BLOCK_K : k;
            for (ptrdiff_t i0 = 0; i0 < m; i0 += BLOCK_M) {
                const ptrdiff_t i1 = i0 + BLOCK_M < m ? i0 + BLOCK_M : m;
                /* The rung-2 loops, confined to one tile. */
                for (ptrdiff_t i = i0; i < i1; i++) {
                    real *c_row = c + i * ldc;
                    for (ptrdiff_t p = p0; p < p1; p++) {
                        const real a_ip = a[i * rs_a + p * cs_a];
                        const real *b_row = b + p * rs_b;
                        for (ptrdiff_t j = j0; j < j1; j++) c_row[j] += a_ip * b_row[j * cs_b];
                    }
                }
            }
        }
    }
}
