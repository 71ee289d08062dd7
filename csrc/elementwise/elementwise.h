/* Elementwise kernels: broadcasting add, column sums, activations, dropout's
 * mask multiply.
 *
 * The bodies are written once, for float32 and float64, in broadcast_impl.h,
 * activations_impl.h and mask_impl.h. Inputs were validated in Python
 * (fastnet.backend.checks), so nothing here checks them.
 */
#ifndef FASTNET_ELEMENTWISE_H
#define FASTNET_ELEMENTWISE_H

#include <stddef.h>
#include <stdint.h>

#include "common/vocabulary.h"

/* Most dimensions a broadcast add accepts (NumPy's own limit is 64). */
#define FN_MAX_DIMS 64

/* The entry points: one per kernel, for arrays of either type (dtype names
 * the element type of every array).
 *
 * fn_add: c := a + b with NumPy broadcasting. ndim: dims of the result;
 * shape[ndim]: the result's shape; a_strides and b_strides: byte strides of
 * a and b aligned to the result's dims (0 where the operand broadcasts); c: a
 * new C-contiguous result, written. */
void fn_add(enum fn_dtype dtype, int ndim, const ptrdiff_t *shape, const void *a,
            const ptrdiff_t *a_strides, const void *b, const ptrdiff_t *b_strides, void *c);

/* s := Σ_i X[i, :]. x: (n, m) with rows `row_stride` elements apart and
 * contiguous columns; s: (m,), written. */
void fn_column_sum(enum fn_dtype dtype, size_t n, size_t m, const void *x, ptrdiff_t row_stride,
                   void *s);

/* y := act(x) on n contiguous elements; y is written (may alias x). The
 * exp-heavy loops run the build of fn_simd_level() (common/simd.h). */
void fn_act_forward(enum fn_dtype dtype, int act, const void *x, void *y, size_t n);

/* dx := dout · act'(x) from the forward output y, n contiguous elements. */
void fn_act_backward(enum fn_dtype dtype, int act, const void *dout, const void *y, void *dx,
                     size_t n);

/* y := x·mask on `size` contiguous elements, mask bytes 0 or 1 (dropout). */
void fn_mask_multiply(enum fn_dtype dtype, size_t size, const void *x, const uint8_t *mask,
                      void *y);

#endif
