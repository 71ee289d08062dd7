/* What xent_jet.c and affine_jet.c share: lanes of units, and the last two
 * series of the loss.
 *
 * FN_JET_LANES units of one row are expanded together, one unit per lane:
 * every step of the recurrences is one loop over the lanes, which the
 * compiler turns into SIMD; classes are visited one at a time (no lane is
 * wasted on a class count that is not a multiple of the vector width), and
 * the divisions of the recurrences are shared by the lanes. A row's last
 * group may be short: its spare lanes repeat its first unit and are not
 * written.
 */
#ifndef FASTNET_NUMGRAD_JET_LANES_H
#define FASTNET_NUMGRAD_JET_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "xent_jet.h"

#define FN_JET_LANES 8

typedef double fn_jet_series[FN_JET_MAX_DEGREE + 1][FN_JET_LANES]; /* [coefficient][lane] */

/* The groups of lanes of n rows of `units` units; group r is row r / groups. */
static inline size_t fn_jet_groups(size_t units) {
    return (units + FN_JET_LANES - 1) / FN_JET_LANES;
}

/* The lanes of group r (row r / groups, first unit *first). */
static inline size_t fn_jet_lanes_of(size_t r, size_t groups, size_t units, size_t *first) {
    *first = (r % groups) * FN_JET_LANES;
    return units - *first < FN_JET_LANES ? units - *first : FN_JET_LANES;
}

/* From S = Σ_k y_k·exp(Δa_k) and Et = exp(Δa_t) (both as series):
 *   Q = y_t·Et / S          S·Q = y_t·Et, solved for Q_m in order
 *   L = log(Q + 1e-7)       P_0·L_m = Q_m - (1/m)·Σ_{i=1..m-1} i·L_i·Q_{m-i}
 * and out[l·degree + m-1] = -L_m for the first `lanes` lanes. */
static inline void fn_jet_finish(fn_jet_series S, fn_jet_series Et, double yt, size_t degree,
                                 size_t lanes, double *out) {
    fn_jet_series Q, L;
    for (size_t m = 0; m <= degree; m++) {
        double acc[FN_JET_LANES];
        for (size_t l = 0; l < FN_JET_LANES; l++) acc[l] = yt * Et[m][l];
        for (size_t i = 1; i <= m; i++)
            for (size_t l = 0; l < FN_JET_LANES; l++) acc[l] -= S[i][l] * Q[m - i][l];
        for (size_t l = 0; l < FN_JET_LANES; l++) Q[m][l] = acc[l] / S[0][l];
    }
    for (size_t m = 1; m <= degree; m++) {
        const double scale = 1.0 / (double)m;
        double acc[FN_JET_LANES] = {0};
        for (size_t i = 1; i < m; i++)
            for (size_t l = 0; l < FN_JET_LANES; l++) acc[l] += (double)i * L[i][l] * Q[m - i][l];
        for (size_t l = 0; l < FN_JET_LANES; l++)
            L[m][l] = (Q[m][l] - acc[l] * scale) / (Q[0][l] + FN_JET_LOG_EPS);
    }
    for (size_t l = 0; l < lanes; l++)
        for (size_t m = 1; m <= degree; m++) out[l * degree + m - 1] = -L[m][l];
}

#endif
