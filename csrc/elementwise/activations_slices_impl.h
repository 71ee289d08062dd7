/* The activation entry points for one dtype: pick the build of the loop for
 * this CPU (fn_simd_level()), then give each thread one contiguous slice
 * (elementwise work: the result does not depend on the number of threads). */

#ifdef FASTNET_X86 /* the same loops built for AVX2 and AVX-512 (activations_avx*.c) */
void FN_AT(fn_act_forward_run, avx2)(int act, const real *x, real *y, size_t n);
void FN_AT(fn_act_backward_run, avx2)(int act, const real *dout, const real *y, real *dx,
                                      size_t n);
void FN_AT(fn_act_forward_run, avx512)(int act, const real *x, real *y, size_t n);
void FN_AT(fn_act_backward_run, avx512)(int act, const real *dout, const real *y, real *dx,
                                        size_t n);
#define FN_PICK(name)                                                                   \
    (fn_simd_level() == FN_AVX512 ? FN_AT(name, avx512)                                 \
     : fn_simd_level() == FN_AVX2 ? FN_AT(name, avx2) : FN(name))
#else
#define FN_PICK(name) FN(name)
#endif

typedef void (*FN(forward_loop))(int, const real *, real *, size_t);
typedef void (*FN(backward_loop))(int, const real *, const real *, real *, size_t);

static void FN(fn_act_forward)(int act, const real *x, real *y, size_t n) {
    FN(forward_loop) run = FN_PICK(fn_act_forward_run);
    const int nt = fn_threads_for(n);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        const size_t lo = fn_slice_start(n, t, nt);
        run(act, x + lo, y + lo, fn_slice_start(n, t + 1, nt) - lo);
    }
}

static void FN(fn_act_backward)(int act, const real *dout, const real *y, real *dx, size_t n) {
    FN(backward_loop) run = FN_PICK(fn_act_backward_run);
    const int nt = fn_threads_for(n);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        const size_t lo = fn_slice_start(n, t, nt);
        run(act, dout + lo, y + lo, dx + lo, fn_slice_start(n, t + 1, nt) - lo);
    }
}

#undef FN_PICK
