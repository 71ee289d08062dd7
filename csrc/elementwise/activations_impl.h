/* Body of the activation loops for one float type and one instruction set.
 * Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the name with its suffix: x##_f32, x##_f64, x##_f32_avx2, ...
 * activations.c includes it for the portable build, activations_avx2.c and
 * activations_avx512.c for the AVX2+FMA and AVX-512 builds: one algorithm,
 * compiled three times.
 *
 * Each loop is a plain pass over contiguous memory with no calls and no
 * branches the compiler cannot turn into selects, so gcc vectorises it. */

/* y := act(x) on x[0:n]. The caller splits the work between threads. */
void FN(fn_act_forward_run)(int act, const real *x, real *y, size_t n) {
    switch (act) {
    case FN_RELU:
        /* x < 0 ? 0 : x keeps NaN as NaN, like np.maximum */
        for (size_t i = 0; i < n; i++) y[i] = x[i] < 0 ? (real)0 : x[i];
        break;
    case FN_SIGMOID:
        /* stable sigmoid: e = e^-|x| never overflows;
         * σ(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0 */
        for (size_t i = 0; i < n; i++) {
            real e = fn_exp_neg(-fn_abs(x[i]));
            y[i] = (x[i] >= 0 ? (real)1 : e) / (1 + e);
        }
        break;
    case FN_TANH:
        /* tanh|x| = -m / (2 + m) with m = e^(-2|x|) - 1 in (-1, 0]: no overflow,
         * and expm1 keeps small |x| accurate where 1 - e^(-2|x|) would cancel */
        for (size_t i = 0; i < n; i++) {
            real m = fn_expm1_neg(-2 * fn_abs(x[i]));
            y[i] = copysign(-m / (2 + m), x[i]);
        }
        break;
    default: /* identity */
        if (y != x) memcpy(y, x, n * sizeof(real));
        break;
    }
}

/* dx := dout · act'(x) from y = act(x), on [0:n). */
void FN(fn_act_backward_run)(int act, const real *dout, const real *y, real *dx, size_t n) {
    switch (act) {
    case FN_RELU:
        for (size_t i = 0; i < n; i++) {
            real d = dout[i]; /* read unconditionally, so the select vectorises */
            dx[i] = y[i] > 0 ? d : (real)0;
        }
        break;
    case FN_SIGMOID:
        for (size_t i = 0; i < n; i++) dx[i] = dout[i] * y[i] * (1 - y[i]);
        break;
    case FN_TANH:
        for (size_t i = 0; i < n; i++) dx[i] = dout[i] * (1 - y[i] * y[i]);
        break;
    default: /* identity */
        if (dx != dout) memcpy(dx, dout, n * sizeof(real));
        break;
    }
}
