/* Body of xent_jet.c: the series of one (row, unit) pair.
 *
 * Truncated power series in δ, coefficient m at index m (index 0 the value):
 *   E_k = exp(Δa_k)            E_0 = 1, m·E_m = Σ_{i=1..m} i·u_i·E_{m-i}
 *   S   = Σ_k y_k·E_k          (S_0 = Σ y_k, 1 up to rounding)
 *   Q   = y_t·E_t / S          S·Q = y_t·E_t, solved for Q_m in order
 *   P   = Q + 1e-7
 *   L   = log P                P_0·L_m = P_m - (1/m)·Σ_{i=1..m-1} i·L_i·P_{m-i}
 *   out_m = -L_m
 * Each is the standard recurrence for the series of exp, a quotient and log.
 * Rounding differs from the reference's only in the order of the sums. */

/* Classes are taken FN_JET_BLOCK at a time so that each recurrence step is
 * one loop over the block, which the compiler turns into SIMD. */
#define FN_JET_BLOCK 8

static void fn_xent_jet_one(size_t classes, size_t given, size_t degree, const double *y,
                            int64_t label, const double *da, double *out) {
    double S[FN_JET_MAX_DEGREE + 1] = {0}, Et[FN_JET_MAX_DEGREE + 1] = {0};
    double E[FN_JET_MAX_DEGREE + 1][FN_JET_BLOCK], Q[FN_JET_MAX_DEGREE + 1];
    double L[FN_JET_MAX_DEGREE + 1];
    double scale[FN_JET_MAX_DEGREE + 1]; /* 1/m: multiplications, not divisions, per class */
    for (size_t m = 1; m <= degree; m++) scale[m] = 1.0 / (double)m;
    Et[0] = 1.0;
    for (size_t k0 = 0; k0 < classes; k0 += FN_JET_BLOCK) {
        const size_t nb = classes - k0 < FN_JET_BLOCK ? classes - k0 : FN_JET_BLOCK;
        for (size_t b = 0; b < FN_JET_BLOCK; b++) E[0][b] = 1.0;
        for (size_t m = 1; m <= degree; m++) {
            for (size_t b = 0; b < FN_JET_BLOCK; b++) E[m][b] = 0.0;
            const size_t top = m < given ? m : given;
            for (size_t i = 1; i <= top; i++) {
                const double *u = da + (i - 1) * classes + k0;
                const double di = (double)i;
                for (size_t b = 0; b < nb; b++) E[m][b] += di * u[b] * E[m - i][b];
            }
            double sum = 0.0;
            for (size_t b = 0; b < nb; b++) {
                E[m][b] *= scale[m];
                sum += y[k0 + b] * E[m][b];
            }
            S[m] += sum;
        }
        for (size_t b = 0; b < nb; b++) S[0] += y[k0 + b];
        if ((size_t)label >= k0 && (size_t)label < k0 + nb)
            for (size_t m = 1; m <= degree; m++) Et[m] = E[m][label - k0];
    }
    const double yt = y[label];
    for (size_t m = 0; m <= degree; m++) {
        double acc = yt * Et[m];
        for (size_t i = 1; i <= m; i++) acc -= S[i] * Q[m - i];
        Q[m] = acc / S[0];
    }
    const double P0 = Q[0] + FN_JET_LOG_EPS;
    for (size_t m = 1; m <= degree; m++) {
        double acc = 0.0;
        for (size_t i = 1; i < m; i++) acc += (double)i * L[i] * Q[m - i];
        L[m] = (Q[m] - acc * scale[m]) / P0;
        out[m - 1] = -L[m];
    }
}

void FN(fn_xent_jet)(size_t n, size_t units, size_t classes, size_t given, size_t degree,
                     const double *y, const int64_t *labels, const double *da, double *out) {
    const size_t pairs = n * units;
    const int nt = fn_threads_for(pairs * classes * degree * degree);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (size_t r = 0; r < pairs; r++) {
        const size_t row = r / units;
        fn_xent_jet_one(classes, given, degree, y + row * classes, labels[row],
                        da + r * given * classes, out + r * degree);
    }
}
