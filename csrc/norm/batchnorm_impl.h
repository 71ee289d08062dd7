/* Batch normalization for one float type (`real`, names through FN(); see
 * common/dtype_begin.h), included by batchnorm.c behind its entry points. NumPy makes ~10 passes and temporaries for a batch-norm step; here forward
 * is three passes over x (mean, variance, output) and backward two (the two
 * column sums, then dx), each walking the rows in order so the per-feature
 * accumulators stay in cache. */

static void FN(fn_batchnorm_forward_train)(size_t n, size_t d, const real *x, const real *gamma,
                                    const real *beta, real *running_mean, real *running_var,
                                    double momentum, real *out, real *xn, real *std) {
    /* std doubles as the accumulator: first Σx, then Σ(x - μ)², then √(σ² + eps) */
    real *mu = out;  /* out's first row holds μ until the last pass overwrites it */
    for (size_t j = 0; j < d; j++) mu[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) mu[j] += x[i * d + j];
    for (size_t j = 0; j < d; j++) {
        mu[j] /= (real)n;
        std[j] = 0;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            const real c = x[i * d + j] - mu[j];
            std[j] += c * c;
        }
    const real mom = (real)momentum, rest = (real)(1 - momentum);
    for (size_t j = 0; j < d; j++) {
        const real var = std[j] / (real)n;
        std[j] = sqrt(var + (real)FN_BATCHNORM_EPS);
        running_mean[j] = mom * running_mean[j] + rest * mu[j];
        running_var[j] = mom * running_var[j] + rest * var;
    }
    /* last pass, rows in reverse so row 0 (holding μ) is written last */
    for (size_t i = n; i-- > 0;)
        for (size_t j = 0; j < d; j++) {
            const real v = (x[i * d + j] - mu[j]) / std[j];
            xn[i * d + j] = v;
            out[i * d + j] = gamma[j] * v + beta[j];
        }
}

static void FN(fn_batchnorm_forward_infer)(size_t n, size_t d, const real *x, const real *gamma,
                                    const real *beta, const real *running_mean,
                                    const real *running_var, real *out) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            out[i * d + j] = gamma[j] * ((x[i * d + j] - running_mean[j]) /
                                         sqrt(running_var[j] + (real)FN_BATCHNORM_EPS)) +
                             beta[j];
}

static void FN(fn_batchnorm_backward)(size_t n, size_t d, const real *dout, const real *xn,
                               const real *std, const real *gamma, real *dx, real *dgamma,
                               real *dbeta) {
    for (size_t j = 0; j < d; j++) dgamma[j] = dbeta[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            dbeta[j] += dout[i * d + j];
            dgamma[j] += dout[i * d + j] * xn[i * d + j];
        }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            dx[i * d + j] = (gamma[j] / std[j]) * (dout[i * d + j] - dbeta[j] / (real)n -
                                                   xn[i * d + j] * (dgamma[j] / (real)n));
}
