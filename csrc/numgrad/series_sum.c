/* out := Σ_m (up^m - down^m) / 2h ⊙ (X^m)ᵀ·g_m over the trusted pairs (see series_sum.h). */
#include "series_sum.h"

#include <stdlib.h>

#include "common/threads.h"

/* Units are summed FN_SUM_CHUNK at a time, in registers. */
#define FN_SUM_CHUNK 8
/* Inputs a thread takes at a time as it comes free (see fn_series_sum_f64). */
#define FN_SUM_INPUTS_PER_GRAB 16

static double power_of(double x, int64_t m) {
    double p = x; /* x·x·…·x left to right, as the reference's repeated products */
    for (int64_t k = 1; k < m; k++) p *= x;
    return p;
}

/* out[i, :] for one input i, from the rows where x = X[r, i] is not 0. */
static void one_input(size_t n, size_t inputs, size_t units, size_t padded, size_t i,
                      const double *X, const double *slabs, const double *up,
                      const double *down, size_t count, const int64_t *powers, double h,
                      size_t *rows, double *xm, double *out) {
    size_t used = 0;
    for (size_t r = 0; r < n; r++) { /* without a branch: zeros come at random */
        rows[used] = r;
        used += X[r * inputs + i] != 0.0;
    }
    double *row = out + i * units;
    for (size_t j = 0; j < units; j++) row[j] = 0.0;
    if (!used) return; /* x is 0 in every row: moving w[i, :] moves no loss */
    for (size_t q = 0; q < count; q++) {
        const int64_t m = powers[q];
        const double *slab = slabs + q * n * padded;
        for (size_t t = 0; t < used; t++) xm[t] = power_of(X[rows[t] * inputs + i], m);
        for (size_t j0 = 0; j0 < units; j0 += FN_SUM_CHUNK) {
            /* Rows alternate between two partial sums: twice the additions in
             * flight. The order is fixed, so the result still does not depend
             * on the threads. */
            double acc[FN_SUM_CHUNK] = {0}, odd[FN_SUM_CHUNK] = {0};
            size_t t = 0;
            for (; t + 1 < used; t += 2) {
                const double *g0 = slab + rows[t] * padded + j0;
                const double *g1 = slab + rows[t + 1] * padded + j0;
                for (size_t b = 0; b < FN_SUM_CHUNK; b++) {
                    acc[b] += xm[t] * g0[b];
                    odd[b] += xm[t + 1] * g1[b];
                }
            }
            if (t < used) {
                const double *g0 = slab + rows[t] * padded + j0;
                for (size_t b = 0; b < FN_SUM_CHUNK; b++) acc[b] += xm[t] * g0[b];
            }
            for (size_t b = 0; b < FN_SUM_CHUNK; b++) acc[b] += odd[b];
            /* the steps' powers, lane by lane over the chunk's units */
            const size_t top = units - j0 < FN_SUM_CHUNK ? units - j0 : FN_SUM_CHUNK;
            const double *u = up + i * units + j0, *d = down + i * units + j0;
            double pu[FN_SUM_CHUNK], pd[FN_SUM_CHUNK];
            for (size_t b = 0; b < top; b++) {
                pu[b] = u[b];
                pd[b] = d[b];
            }
            for (int64_t k = 1; k < m; k++) /* x·x·…·x left to right, as the reference */
                for (size_t b = 0; b < top; b++) {
                    pu[b] *= u[b];
                    pd[b] *= d[b];
                }
            for (size_t b = 0; b < top; b++)
                row[j0 + b] += (pu[b] - pd[b]) / (2.0 * h) * acc[b];
        }
    }
}

int fn_series_sum_f64(size_t n, size_t inputs, size_t units, size_t degree, const double *X,
                      const double *g, const uint8_t *valid, const double *up,
                      const double *down, size_t count, const int64_t *powers, double h,
                      double *out) {
    if (n == 0 || units == 0 || count == 0) {
        for (size_t e = 0; e < inputs * units; e++) out[e] = 0.0;
        return 0;
    }
    /* g_m laid out (count, n, padded), 0 where not trusted and past the last
     * unit: the sums then run over whole chunks of adjacent units. */
    const size_t padded = (units + FN_SUM_CHUNK - 1) / FN_SUM_CHUNK * FN_SUM_CHUNK;
    double *slabs = malloc(count * n * padded * sizeof(double));
    if (!slabs) return -1;
    for (size_t q = 0; q < count; q++)
        for (size_t r = 0; r < n; r++) {
            double *slab_row = slabs + (q * n + r) * padded;
            for (size_t j = 0; j < padded; j++) {
                const size_t pair = r * units + j;
                slab_row[j] = j < units && valid[pair]
                                  ? g[pair * degree + (size_t)(powers[q] - 1)] : 0.0;
            }
        }
    int failed = 0;
    const int nt = fn_threads_for(inputs * n * units * count);
    /* Each out[i, :] is one thread's sum in row order, whatever the number of
     * threads. Inputs are handed out FN_SUM_INPUTS_PER_GRAB at a time as
     * threads come free, not in equal slices: an input costs in proportion
     * to its rows that are not 0 (MNIST's ink is not spread evenly over the
     * pixels), and a second core that is shared runs slower than the first. */
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(| : failed)
    {
        size_t *rows = malloc(n * sizeof(size_t));
        double *xm = malloc(n * sizeof(double));
        const int ready = rows && xm;
        if (!ready) failed = 1;
#pragma omp for schedule(dynamic, FN_SUM_INPUTS_PER_GRAB)
        for (ptrdiff_t i = 0; i < (ptrdiff_t)inputs; i++)
            if (ready)
                one_input(n, inputs, units, padded, (size_t)i, X, slabs, up, down, count,
                          powers, h, rows, xm, out);
        free(rows);
        free(xm);
    }
    free(slabs);
    return failed ? -1 : 0;
}
