/* g := series of the loss when one unit of the last hidden layer moves (see xent_jet.h).
 *
 * Unit j's activation changes by z(δ) = act(pre + δ) - act(pre) and each
 * logit by w_k·z(δ), so exp(Δa_k) = Σ_p w_k^p·z(δ)^p / p!: with Z_p the
 * series of z^p (Z_1 = z, Z_p = z·Z_{p-1}) and, per row and unit,
 *   M_p = Σ_k y_k·w_k^p / p!      (one pass over the classes)
 * the two sums the loss needs are
 *   S_m  = Σ_k y_k·exp(Δa_k)_m = Σ_{p=1..m} Z_{p,m}·M_p     (S_0 = Σ_k y_k)
 *   Et_m = exp(Δa_t)_m        = Σ_{p=1..m} Z_{p,m}·w_t^p / p!
 * then Q and L as in xent_jet (jet_lanes.h). The classes are visited once
 * per unit, with `degree` products each, instead of once per coefficient. */
#include <math.h>

#include "common/threads.h"
#include "common/vocabulary.h"
#include "jet_lanes.h"
#include "xent_jet.h"

/* Coefficients 1..degree of act(a + δ) - act(a), lane by lane (those past
 * the returned `given` are 0).
 * relu's is its slope (valid while a + δ keeps a's sign: the caller bounds
 * δ). sigmoid and tanh solve v' = w·u' with w = v(1 - v) or 1 - v², u = a + δ:
 * v_m = w_{m-1} / m, w_{m-1} from v_0..v_{m-1}. */
static size_t activation_series(int activation, const double a[FN_JET_LANES], size_t degree,
                                fn_jet_series z) {
    if (activation == FN_IDENTITY || activation == FN_RELU) {
        for (size_t l = 0; l < FN_JET_LANES; l++)
            z[1][l] = activation == FN_RELU && !(a[l] > 0) ? 0.0 : 1.0;
        for (size_t m = 2; m <= degree; m++)
            for (size_t l = 0; l < FN_JET_LANES; l++) z[m][l] = 0.0;
        return 1;
    }
    fn_jet_series v;
    for (size_t l = 0; l < FN_JET_LANES; l++) {
        if (activation == FN_SIGMOID) {
            const double e = exp(-fabs(a[l])); /* never overflows */
            v[0][l] = a[l] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        } else {
            v[0][l] = tanh(a[l]);
        }
    }
    for (size_t m = 1; m <= degree; m++) {
        double square[FN_JET_LANES] = {0};
        for (size_t i = 0; i < m; i++)
            for (size_t l = 0; l < FN_JET_LANES; l++) square[l] += v[i][l] * v[m - 1 - i][l];
        for (size_t l = 0; l < FN_JET_LANES; l++) {
            /* v(1 - v) = v - v², 1 - v² = 1 - v²: coefficient m-1 of each */
            const double w = activation == FN_SIGMOID ? v[m - 1][l] - square[l]
                                                      : (m == 1 ? 1.0 : 0.0) - square[l];
            v[m][l] = w / (double)m;
            z[m][l] = v[m][l];
        }
    }
    return degree;
}

/* S_m = Σ_{p<=m} Z_{p,m}·M_p and Et_m = Σ_{p<=m} Z_{p,m}·Wt_p for m >= 1, with Z_p
 * the series of z^p (Z_1 = z, Z_p = z·Z_{p-1}). */
static void sum_powers(fn_jet_series z, size_t degree, fn_jet_series M, fn_jet_series Wt,
                       fn_jet_series S, fn_jet_series Et) {
    /* Z[p][m]: coefficient m of z^p (m >= p; the lower ones are 0 and never read). */
    double Z[FN_JET_MAX_DEGREE + 1][FN_JET_MAX_DEGREE + 1][FN_JET_LANES];
    for (size_t m = 1; m <= degree; m++)
        for (size_t l = 0; l < FN_JET_LANES; l++) Z[1][m][l] = z[m][l];
    for (size_t p = 2; p <= degree; p++)
        for (size_t m = p; m <= degree; m++) {
            double acc[FN_JET_LANES] = {0};
            for (size_t i = 1; i <= m - p + 1; i++)
                for (size_t l = 0; l < FN_JET_LANES; l++) acc[l] += z[i][l] * Z[p - 1][m - i][l];
            for (size_t l = 0; l < FN_JET_LANES; l++) Z[p][m][l] = acc[l];
        }
    for (size_t m = 1; m <= degree; m++) {
        double s[FN_JET_LANES] = {0}, e[FN_JET_LANES] = {0};
        for (size_t p = 1; p <= m; p++)
            for (size_t l = 0; l < FN_JET_LANES; l++) {
                s[l] += Z[p][m][l] * M[p][l];
                e[l] += Z[p][m][l] * Wt[p][l];
            }
        for (size_t l = 0; l < FN_JET_LANES; l++) {
            S[m][l] = s[l];
            Et[m][l] = e[l];
        }
    }
}

static void affine_group(size_t classes, size_t degree, int activation, const double *y,
                         int64_t label, const double pre[FN_JET_LANES],
                         const double *const w[FN_JET_LANES], size_t lanes, double *out) {
    /* Arrays are filled, not zeroed first: at this size, clearing them costs
     * as much as the arithmetic. */
    fn_jet_series z, M, Wt, S, Et;
    const size_t given = activation_series(activation, pre, degree, z);
    for (size_t p = 1; p <= degree; p++)
        for (size_t l = 0; l < FN_JET_LANES; l++) M[p][l] = 0.0;
    double inverse[FN_JET_MAX_DEGREE + 1];
    for (size_t p = 1; p <= degree; p++) inverse[p] = 1.0 / (double)p;
    double y_sum = 0.0;
    for (size_t k = 0; k < classes; k++) {
        const double yk = y[k];
        fn_jet_series q; /* q[p]: w_k^p / p! */
        for (size_t l = 0; l < FN_JET_LANES; l++) q[0][l] = 1.0;
        for (size_t p = 1; p <= degree; p++)
            for (size_t l = 0; l < FN_JET_LANES; l++) {
                q[p][l] = q[p - 1][l] * w[l][k] * inverse[p];
                M[p][l] += yk * q[p][l];
            }
        if ((int64_t)k == label)
            for (size_t p = 1; p <= degree; p++)
                for (size_t l = 0; l < FN_JET_LANES; l++) Wt[p][l] = q[p][l];
        y_sum += yk;
    }
    for (size_t l = 0; l < FN_JET_LANES; l++) {
        S[0][l] = y_sum;
        Et[0][l] = 1.0;
    }
    if (given == 1) { /* z = z_1·δ: z^p is z_1^p·δ^p, one term per coefficient */
        double zp[FN_JET_LANES];
        for (size_t l = 0; l < FN_JET_LANES; l++) zp[l] = 1.0;
        for (size_t m = 1; m <= degree; m++)
            for (size_t l = 0; l < FN_JET_LANES; l++) {
                zp[l] *= z[1][l];
                S[m][l] = zp[l] * M[m][l];
                Et[m][l] = zp[l] * Wt[m][l];
            }
    } else {
        sum_powers(z, degree, M, Wt, S, Et);
    }
    fn_jet_finish(S, Et, y[label], degree, lanes, out);
}

void fn_affine_jet_f64(size_t n, size_t units, size_t classes, size_t degree, int activation,
                       const double *y, const int64_t *labels, const double *pre,
                       const double *w, double *out) {
    const size_t groups = fn_jet_groups(units);
    const int nt = fn_threads_for(n * units * classes * degree);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (size_t r = 0; r < n * groups; r++) {
        const size_t row = r / groups;
        size_t first;
        const size_t lanes = fn_jet_lanes_of(r, groups, units, &first);
        double a[FN_JET_LANES];
        const double *rows_of_w[FN_JET_LANES];
        for (size_t l = 0; l < FN_JET_LANES; l++) {
            const size_t unit = first + (l < lanes ? l : 0);
            a[l] = pre[row * units + unit];
            rows_of_w[l] = w + unit * classes;
        }
        affine_group(classes, degree, activation, y + row * classes, labels[row], a, rows_of_w,
                     lanes, out + (row * units + first) * degree);
    }
}
