/* Softmax and losses (see losses.h for the contracts). */
#include <math.h>
#include <stdlib.h>
#include <tgmath.h>

#include "common/simd.h"
#include "common/fast_exp.h"
#include "losses.h"
#include "common/threads.h"

/* the portable row loops */
#define FN_BODY "losses/losses_rows_impl.h"
#include "common/dtype_both.h"

#ifdef FASTNET_X86 /* the AVX2+FMA and AVX-512 row loops, in losses_avx*.c */
void fn_softmax_row_f32_avx2(size_t c, const float *x, float *y);
void fn_softmax_row_f64_avx2(size_t c, const double *x, double *y);
double fn_softmax_ce_row_f32_avx2(size_t c, const float *x, const float *t, ptrdiff_t label,
                                  float inv_n, float *dx);
double fn_softmax_ce_row_f64_avx2(size_t c, const double *x, const double *t, ptrdiff_t label,
                                  double inv_n, double *dx);
void fn_softmax_row_f32_avx512(size_t c, const float *x, float *y);
void fn_softmax_row_f64_avx512(size_t c, const double *x, double *y);
double fn_softmax_ce_row_f32_avx512(size_t c, const float *x, const float *t, ptrdiff_t label,
                                    float inv_n, float *dx);
double fn_softmax_ce_row_f64_avx512(size_t c, const double *x, const double *t,
                                    ptrdiff_t label, double inv_n, double *dx);
#endif

#define FN_BODY "losses/losses_impl.h"
#include "common/dtype_both.h"
