/* Rung 1 — naive GEMM: C := A·B
 *
 * a: (m, k) view (rs_a, cs_a); b: (k, n) view (rs_b, cs_b); c: (m, n)
 * row-major with row stride ldc, written. Included once per dtype by
 * gemm_f32.c / gemm_f64.c with `real` and FN(name) defined.
 *
 * The textbook triple loop, i-j-k: each C element is one dot product. The
 * inner loop walks down a column of B, a new cache line per step, which is
 * why this runs at a few percent of the CPU's peak.
 */
void FN(fn_gemm_naive)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const real *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                       const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                       real *c, ptrdiff_t ldc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            real sum = 0;
            for (ptrdiff_t p = 0; p < k; p++) {
                sum += a[i * rs_a + p * cs_a] * b[p * rs_b + j * cs_b];
            }
            c[i * ldc + j] = sum;
        }
    }
}
