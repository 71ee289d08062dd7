/* Activation forward/backward (see elementwise.h for the contracts): the
 * portable loops, the choice between them and the AVX2 build, and the split
 * between threads. */
#include <string.h>
#include <tgmath.h>

#include "elementwise.h"
#include "common/fast_exp.h"
#include "common/simd.h"
#include "common/threads.h"

#define FN_BODY "elementwise/activations_impl.h"
#include "common/dtype_both.h"

#ifdef FASTNET_X86 /* the same loops built for AVX2 and AVX-512 (activations_avx*.c) */
void fn_act_forward_run_f32_avx2(int act, const float *x, float *y, size_t n);
void fn_act_forward_run_f64_avx2(int act, const double *x, double *y, size_t n);
void fn_act_backward_run_f32_avx2(int act, const float *dout, const float *y, float *dx,
                                  size_t n);
void fn_act_backward_run_f64_avx2(int act, const double *dout, const double *y, double *dx,
                                  size_t n);
void fn_act_forward_run_f32_avx512(int act, const float *x, float *y, size_t n);
void fn_act_forward_run_f64_avx512(int act, const double *x, double *y, size_t n);
void fn_act_backward_run_f32_avx512(int act, const float *dout, const float *y, float *dx,
                                    size_t n);
void fn_act_backward_run_f64_avx512(int act, const double *dout, const double *y, double *dx,
                                    size_t n);
#endif

/* The public entry points pick the loop for this CPU, then give each thread
 * one contiguous slice (elementwise work: the result does not depend on the
 * number of threads). */
typedef void (*fn_forward_f32)(int, const float *, float *, size_t);
typedef void (*fn_forward_f64)(int, const double *, double *, size_t);
typedef void (*fn_backward_f32)(int, const float *, const float *, float *, size_t);
typedef void (*fn_backward_f64)(int, const double *, const double *, double *, size_t);

#ifdef FASTNET_X86
#define FN_PICK(name)                                                   \
    (fn_simd_level() == FN_AVX512 ? name##_avx512            \
     : fn_simd_level() == FN_AVX2 ? name##_avx2 : name)
#else
#define FN_PICK(name) (name)
#endif

static inline size_t fn_slice(size_t n, int t, int nt) { return n * (size_t)t / (size_t)nt; }

void fn_act_forward_f32(int act, const float *x, float *y, size_t n) {
    fn_forward_f32 run = FN_PICK(fn_act_forward_run_f32);
    const int nt = fn_threads_for(n);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo = fn_slice(n, t, nt), hi = fn_slice(n, t + 1, nt);
        run(act, x + lo, y + lo, hi - lo);
    }
}

void fn_act_forward_f64(int act, const double *x, double *y, size_t n) {
    fn_forward_f64 run = FN_PICK(fn_act_forward_run_f64);
    const int nt = fn_threads_for(n);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo = fn_slice(n, t, nt), hi = fn_slice(n, t + 1, nt);
        run(act, x + lo, y + lo, hi - lo);
    }
}

void fn_act_backward_f32(int act, const float *dout, const float *y, float *dx, size_t n) {
    fn_backward_f32 run = FN_PICK(fn_act_backward_run_f32);
    const int nt = fn_threads_for(n);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo = fn_slice(n, t, nt), hi = fn_slice(n, t + 1, nt);
        run(act, dout + lo, y + lo, dx + lo, hi - lo);
    }
}

void fn_act_backward_f64(int act, const double *dout, const double *y, double *dx, size_t n) {
    fn_backward_f64 run = FN_PICK(fn_act_backward_run_f64);
    const int nt = fn_threads_for(n);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo = fn_slice(n, t, nt), hi = fn_slice(n, t + 1, nt);
        run(act, dout + lo, y + lo, dx + lo, hi - lo);
    }
}

void fn_act_forward(enum fn_dtype dtype, int act, const void *x, void *y, size_t n) {
    FN_BY_DTYPE(dtype, fn_act_forward, (act, x, y, n));
}

void fn_act_backward(enum fn_dtype dtype, int act, const void *dout, const void *y, void *dx,
                     size_t n) {
    FN_BY_DTYPE(dtype, fn_act_backward, (act, dout, y, dx, n));
}
