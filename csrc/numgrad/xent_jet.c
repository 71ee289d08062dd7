/* g := series of the softmax cross-entropy in one perturbation (see xent_jet.h).
 *
 * Truncated power series in δ, coefficient m at index m (index 0 the value):
 *   E_k = exp(Δa_k)            E_0 = 1, m·E_m = Σ_{i=1..m} i·u_i·E_{m-i}
 *   S   = Σ_k y_k·E_k          (S_0 = Σ y_k, 1 up to rounding)
 * then Q = y_t·E_t / S and L = log(Q + 1e-7) (jet_lanes.h), out_m = -L_m.
 * Each is the standard recurrence for the series of exp, a quotient and log.
 * Float64 only: the series' coefficients shrink like δ^m and must keep their
 * digits, whatever the net's dtype. Rounding differs from the reference's
 * only in the order of the sums. */
#include "xent_jet.h"

#include "common/threads.h"
#include "jet_lanes.h"

/* The series of one group of lanes; da[l] is lane l's (given, classes) block. */
static void jet_group(size_t classes, size_t given, size_t degree, const double *y,
                      int64_t label, const double *const da[FN_JET_LANES], size_t lanes,
                      double *out) {
    fn_jet_series S, Et, E, U; /* U: i·u_i of the class being visited */
    for (size_t m = 0; m <= degree; m++) /* filled, not cleared whole: it costs as much */
        for (size_t l = 0; l < FN_JET_LANES; l++) S[m][l] = Et[m][l] = 0.0;
    for (size_t l = 0; l < FN_JET_LANES; l++) E[0][l] = 1.0;
    for (size_t k = 0; k < classes; k++) {
        for (size_t i = 1; i <= given; i++)
            for (size_t l = 0; l < FN_JET_LANES; l++)
                U[i][l] = (double)i * da[l][(i - 1) * classes + k];
        const double yk = y[k];
        for (size_t m = 1; m <= degree; m++) {
            const double scale = 1.0 / (double)m;
            double acc[FN_JET_LANES] = {0};
            const size_t top = m < given ? m : given;
            for (size_t i = 1; i <= top; i++)
                for (size_t l = 0; l < FN_JET_LANES; l++) acc[l] += U[i][l] * E[m - i][l];
            for (size_t l = 0; l < FN_JET_LANES; l++) {
                E[m][l] = acc[l] * scale;
                S[m][l] += yk * E[m][l];
            }
        }
        for (size_t l = 0; l < FN_JET_LANES; l++) S[0][l] += yk;
        if ((int64_t)k == label)
            for (size_t m = 0; m <= degree; m++)
                for (size_t l = 0; l < FN_JET_LANES; l++) Et[m][l] = E[m][l];
    }
    fn_jet_finish(S, Et, y[label], degree, lanes, out);
}

void fn_xent_jet_f64(size_t n, size_t units, size_t classes, size_t given, size_t degree,
                     const double *y, const int64_t *labels, const double *da, double *out) {
    const size_t groups = fn_jet_groups(units);
    const int nt = fn_threads_for(n * units * classes * degree * degree);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (size_t r = 0; r < n * groups; r++) {
        const size_t row = r / groups;
        size_t first;
        const size_t lanes = fn_jet_lanes_of(r, groups, units, &first);
        const double *blocks[FN_JET_LANES];
        for (size_t l = 0; l < FN_JET_LANES; l++)
            blocks[l] = da + (row * units + first + (l < lanes ? l : 0)) * given * classes;
        jet_group(classes, given, degree, y + row * classes, labels[row], blocks, lanes,
                  out + (row * units + first) * degree);
    }
}
