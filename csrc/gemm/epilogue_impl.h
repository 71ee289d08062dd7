/* The epilogue: C := act(C + bias), in place, one pass.
 *
 * c: (m, n) block, row stride ldc, read and written; bias: (n,) or NULL;
 * activation: an fn_gemm_activation. ABS and COPYSIGN are the dtype's libm
 * functions; fn_exp_neg / fn_expm1_neg (csrc/common/fast_exp.h) are e^x and e^x - 1
 * for x <= 0 written so that the loops below vectorise (libm's exp is a call
 * per element, which keeps a loop scalar).
 *
 * The packed GEMM runs this on each MR x NR tile right after its last
 * k-block, while the tile is still in L1, so bias and activation cost no
 * extra pass over memory; the NumPy path runs it once over all of C
 * (fn_gemm_epilogue_*, packed_impl.h). Compiled twice: baseline here, and
 * with AVX2 in kernel_avx2.c, where the exp loops run 8 floats at a time.
 */

static void FN(epilogue_block)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                               const real *bias, int activation) {
    for (ptrdiff_t i = 0; i < m; i++) {
        real *row = c + i * ldc;
        if (bias) {
            for (ptrdiff_t j = 0; j < n; j++) row[j] += bias[j];
        }
        switch (activation) {
        case FN_RELU:
            /* x < 0 ? 0 : x keeps NaN as NaN, like np.maximum(x, 0). */
            for (ptrdiff_t j = 0; j < n; j++) row[j] = row[j] < 0 ? 0 : row[j];
            break;
        case FN_SIGMOID:
            /* Stable sigmoid: e = e^-|x| never overflows, and 1/(1+e) or
             * e/(1+e) is the form without cancellation for each sign. */
            for (ptrdiff_t j = 0; j < n; j++) {
                const real e = fn_exp_neg(-ABS(row[j]));
                row[j] = (row[j] >= 0 ? (real)1 : e) / (1 + e);
            }
            break;
        case FN_TANH:
            /* tanh|x| = -m / (2 + m), m = e^(-2|x|) - 1 in (-1, 0]: no
             * overflow, and expm1 keeps small |x| accurate where
             * 1 - e^(-2|x|) would cancel. */
            for (ptrdiff_t j = 0; j < n; j++) {
                const real m1 = fn_expm1_neg(-2 * ABS(row[j]));
                row[j] = COPYSIGN(-m1 / (2 + m1), row[j]);
            }
            break;
        default: /* identity */
            break;
        }
    }
}
