/* out[i, j] = Σ_{m in powers} (up[i, j]^m - down[i, j]^m) / 2h · Σ_{n : valid[n, j]} X[n, i]^m·g[n, j, m-1]
 *
 * The central differences of one layer's weights from the series of the
 * loss (fastnet/numgrad/fast.py): unit j's series g in row n, seen from
 * weight (i, j), is in x = X[n, i] times the step, so summed over the rows
 * each power m is one product of X^m and g, scaled by the steps' powers.
 *
 *   X      (n, inputs)          the layer's input, read
 *   g      (n, units, degree)   coefficients 1..degree of each row's loss in each unit, read
 *   valid  (n, units)           0 where the series is not trusted (left to direct evaluation)
 *   up, down (inputs, units)    the steps the book's loop takes, dtype(w ± h) - w
 *   powers (count,)             the powers m to sum, each in [1, degree], in this order
 *   out    (inputs, units)      written
 *
 * A row whose x is 0 adds an exact 0 and is skipped (MNIST's inputs are
 * mostly 0). Each out[i, j] is summed over n in a fixed order by one thread,
 * so the result does not depend on the number of threads. The NumPy reference is
 * fastnet.numgrad.reference.series_sum.
 */
#ifndef FASTNET_NUMGRAD_SERIES_SUM_H
#define FASTNET_NUMGRAD_SERIES_SUM_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0, or -1 when the scratch memory could not be allocated. */
int fn_series_sum_f64(size_t n, size_t inputs, size_t units, size_t degree, const double *X,
                      const double *g, const uint8_t *valid, const double *up,
                      const double *down, size_t count, const int64_t *powers, double h,
                      double *out);

#endif
