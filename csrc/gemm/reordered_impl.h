/* Rung 2 — loop-reordered GEMM: C := A·B
 *
 * a: (m, k) view (rs_a, cs_a); b: (k, n) view (rs_b, cs_b); c: (m, n)
 * row-major with row stride ldc, written.
 *
 * Same arithmetic as rung 1 in the order i-k-j: row i of C accumulates
 * A[i, p] times row p of B, so the inner loop reads B and writes C with unit
 * stride (for a row-major B) and the compiler vectorises it.
 */
void FN(fn_gemm_reordered)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                           const real *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                           const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                           real *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        real *c_row = c + i * ldc;
        for (ptrdiff_t j = 0; j < n; j++) c_row[j] = 0;
        for (ptrdiff_t p = 0; p < k; p++) {
            const real a_ip = a[i * rs_a + p * cs_a];
            const real *b_row = b + p * rs_b;
            for (ptrdiff_t j = 0; j < n; j++) c_row[j] += a_ip * b_row[j * cs_b];
        }
    }
}
