/* The embedding's gradient: the rows of dout added into a table at their ids.
 *
 * One entry point takes the element type (enum fn_dtype) and untyped
 * pointers; the float32 and float64 loops behind it are written once in
 * embedding_impl.h. Inputs were validated in Python
 * (fastnet.backend.checks.embedding): every id lies in [0, rows).
 */
#ifndef FASTNET_EMBEDDING_H
#define FASTNET_EMBEDDING_H

#include <stddef.h>
#include <stdint.h>

#include "common/vocabulary.h"

/* grad[r, :] := Σ dout[i, :] over every look-up (i, s) with ids[i, s] = r
 * (see fastnet/backend/numpy/embedding.py).
 *
 * dout: n rows of d values, row i at dout + i·dout_stride (elements, any
 * sign); ids: C-order (n, steps) int64, each in [0, rows); grad: C-order
 * (rows, d), written in full. Each sum runs in look-up order (i, then s) on
 * any number of threads. */
void fn_embedding_backward(enum fn_dtype dtype, size_t n, size_t steps, size_t rows, size_t d,
                           const void *dout, ptrdiff_t dout_stride, const int64_t *ids,
                           void *grad);

#endif
