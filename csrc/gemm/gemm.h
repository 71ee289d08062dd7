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
 * gemm_f32.c and gemm_f64.c compile every rung once per dtype, with `real`,
 * FN(name) and the block sizes of dtype_f32.h / dtype_f64.h
 * (ladder_impl.h lists the bodies in reading order).
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

/* The FMA roof of `kernel` (FN_AVX2 or FN_AVX512): runs `steps` rounds of
 * register-only multiply-adds and returns the flops done (0 for the portable
 * kernel or one this CPU cannot run); flops / seconds = the core's peak. */
double fn_gemm_fma_roof(int is_f64, int kernel, long steps);

/* float: rungs 1-3 (C := A·B) */
void fn_gemm_naive_f32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                       const float *b, ptrdiff_t rs_b, ptrdiff_t cs_b, float *c, ptrdiff_t ldc);
void fn_gemm_reordered_f32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                           const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                           const float *b, ptrdiff_t rs_b, ptrdiff_t cs_b, float *c, ptrdiff_t ldc);
void fn_gemm_blocked_f32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                         const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                         const float *b, ptrdiff_t rs_b, ptrdiff_t cs_b, float *c, ptrdiff_t ldc);
/* rungs 4-5: C := act(A·B + bias) */
int fn_gemm_packed_f32(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                       const float *b, ptrdiff_t rs_b, ptrdiff_t cs_b, float *c, ptrdiff_t ldc,
                       const float *bias, int activation, int kernel);
/* C := act(C + bias) in place */
void fn_gemm_epilogue_f32(ptrdiff_t m, ptrdiff_t n, float *c, ptrdiff_t ldc,
                          const float *bias, int activation, int kernel);

/* double: rungs 1-3 (C := A·B) */
void fn_gemm_naive_f64(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const double *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                       const double *b, ptrdiff_t rs_b, ptrdiff_t cs_b, double *c, ptrdiff_t ldc);
void fn_gemm_reordered_f64(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                           const double *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                           const double *b, ptrdiff_t rs_b, ptrdiff_t cs_b, double *c, ptrdiff_t ldc);
void fn_gemm_blocked_f64(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                         const double *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                         const double *b, ptrdiff_t rs_b, ptrdiff_t cs_b, double *c, ptrdiff_t ldc);
/* rungs 4-5: C := act(A·B + bias) */
int fn_gemm_packed_f64(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const double *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                       const double *b, ptrdiff_t rs_b, ptrdiff_t cs_b, double *c, ptrdiff_t ldc,
                       const double *bias, int activation, int kernel);
/* C := act(C + bias) in place */
void fn_gemm_epilogue_f64(ptrdiff_t m, ptrdiff_t n, double *c, ptrdiff_t ldc,
                          const double *bias, int activation, int kernel);

#endif
