/* fastnet's GEMM: C := act(op(A)·op(B) + bias), as a ladder a learner reads
 * in order. Each rung is a complete GEMM that handles every size:
 *
 *   1. naive_impl.h      triple loop i-j-k
 *   2. reordered_impl.h  i-k-j: the inner loop runs along rows of B and C
 *   3. blocked_impl.h    the i-k-j loops over tiles that stay in cache
 *   4. packed_impl.h     BLIS/GotoBLAS structure: pack_impl.h copies panels
 *                        into micro-panels, kernel_portable_impl.h multiplies
 *                        them, epilogue_impl.h applies bias and activation to
 *                        each finished tile; threads split C into slabs
 *   5. kernel_simd_impl.h the same driver with an AVX2+FMA micro-kernel
 *                        (compiled alone with -mavx2 -mfma in kernel_avx2.c;
 *                        code_choice_impl.h picks it at run time)
 *   6. kernel_avx512.c   the same driver and micro-kernel once more, with
 *                        AVX-512 vectors and a tile twice as wide and tall
 *
 * gemm_f32.c and gemm_f64.c compile every rung once per dtype (the one
 * instantiation of common/dtype_begin.h, with the block sizes of tile.h;
 * ladder_impl.h lists the bodies in reading order); dispatch.c holds the
 * entry points that pick the dtype.
 *
 * Matrices are views: element (i, j) of a matrix X lives at
 * x[i*rs_x + j*cs_x], strides in elements (NumPy's byte strides divided by
 * the item size), any sign. op(A) is (m, k), op(B) is (k, n): a transposed
 * operand is the same memory with its two strides swapped, so trans_a and
 * trans_b cost nothing. C is (m, n), row-major with row stride ldc, and is
 * written (never read before the call writes it).
 */
#ifndef FASTNET_GEMM_H
#define FASTNET_GEMM_H

#include <stddef.h>

#include "common/vocabulary.h"

/* The ladder's first rungs by number (rungs 4-6 are fn_gemm_packed). */
enum { FN_GEMM_NAIVE = 1, FN_GEMM_REORDERED = 2, FN_GEMM_BLOCKED = 3 };

/* The entry points, for matrices of either dtype (dtype names the element
 * type of every matrix).
 * fn_gemm_rung: C := A·B with rung 1-3.
 * fn_gemm_packed: C := act(A·B + bias) with rungs 4-6 (kernel: FN_PORTABLE,
 *   FN_AVX2 or FN_AVX512 picks the micro-kernel; bias (n,) or NULL; returns 0,
 *   or -1 when the packing buffers cannot be allocated).
 * fn_gemm_packed_a32: the same with A stored as float32 (B, C and bias of
 *   `dtype`): float32 @ float64 promoted to float64 as NumPy does, A widened
 *   while it is packed.
 * fn_gemm_epilogue: C := act(C + bias) in place, one pass.
 * fn_gemm_fma_roof: runs `steps` rounds of register-only multiply-adds of
 *   `kernel` (FN_AVX2 or FN_AVX512) and returns the flops done (0 for the
 *   portable kernel or one this CPU cannot run); flops / seconds = the core's peak. */
void fn_gemm_rung(enum fn_dtype dtype, int rung, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  const void *a, ptrdiff_t rs_a, ptrdiff_t cs_a, const void *b, ptrdiff_t rs_b,
                  ptrdiff_t cs_b, void *c, ptrdiff_t ldc);
int fn_gemm_packed(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const void *a,
                   ptrdiff_t rs_a, ptrdiff_t cs_a, const void *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                   void *c, ptrdiff_t ldc, const void *bias, int activation, int kernel);
int fn_gemm_packed_a32(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a, const void *b,
                       ptrdiff_t rs_b, ptrdiff_t cs_b, void *c, ptrdiff_t ldc, const void *bias,
                       int activation, int kernel);
void fn_gemm_epilogue(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t n, void *c, ptrdiff_t ldc,
                      const void *bias, int activation, int kernel);
double fn_gemm_fma_roof(enum fn_dtype dtype, int kernel, long steps);

/* The typed functions behind them, fn_<op>_f32 and fn_<op>_f64 (the fused
 * convolution calls fn_gemm_packed_<dtype> directly). */
#define FN_GEMM_TYPED(real, dtype)                                                          \
    void fn_gemm_naive_##dtype(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const real *a,          \
                               ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b, ptrdiff_t rs_b, \
                               ptrdiff_t cs_b, real *c, ptrdiff_t ldc);                       \
    void fn_gemm_reordered_##dtype(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const real *a,      \
                                   ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b,             \
                                   ptrdiff_t rs_b, ptrdiff_t cs_b, real *c, ptrdiff_t ldc);   \
    void fn_gemm_blocked_##dtype(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const real *a,        \
                                 ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b,               \
                                 ptrdiff_t rs_b, ptrdiff_t cs_b, real *c, ptrdiff_t ldc);     \
    int fn_gemm_packed_##dtype(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const real *a,          \
                               ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b, ptrdiff_t rs_b, \
                               ptrdiff_t cs_b, real *c, ptrdiff_t ldc, const real *bias,      \
                               int activation, int kernel);                                   \
    int fn_gemm_packed_a32_##dtype(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a,     \
                                   ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b,             \
                                   ptrdiff_t rs_b, ptrdiff_t cs_b, real *c, ptrdiff_t ldc,    \
                                   const real *bias, int activation, int kernel);             \
    void fn_gemm_epilogue_##dtype(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,           \
                                  const real *bias, int activation, int kernel);
FN_GEMM_TYPED(float, f32)
FN_GEMM_TYPED(double, f64)
#undef FN_GEMM_TYPED

#endif
