/* Which code runs: the portable micro-kernel and epilogue, their AVX2
 * builds (kernel_avx2.c), or the AVX-512 twin of the whole driver
 * (kernel_avx512.c), chosen per call by the caller (the kernel code that
 * fastnet.backend.cython.gemm picks once from CPUID, capped by FASTNET_SIMD
 * or its set_kernel).
 * Also the NumPy path's epilogue: C := act(C + bias) over all of C.
 */

#if defined(FASTNET_X86) && !defined(FN_ONE_KERNEL)
/* Rung 5's micro-kernel and epilogue, compiled with AVX2+FMA in kernel_avx2.c. */
void FN_AT(fn_gemm_kernel, avx2)(ptrdiff_t kc, const real *pa, ptrdiff_t rs_pa,
                                 ptrdiff_t cs_pa, const real *pb, real *c, ptrdiff_t ldc,
                                 int accumulate, ptrdiff_t nr);
void FN_AT(fn_gemm_row, avx2)(ptrdiff_t kc, const real *a, ptrdiff_t cs_a, const real *b,
                              ptrdiff_t rs_b, real *c, ptrdiff_t n, int accumulate);
void FN_AT(fn_gemm_epilogue_block, avx2)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                                         const real *bias, int activation);

#ifdef FN_AVX512_TWIN
/* Rung 6: the whole packed GEMM compiled with AVX-512 (kernel_avx512.c):
 * its tile is wider, so packing differs too, and it is a twin of this file's
 * driver rather than another micro-kernel for it. */
int FN_AVX512_TWIN(fn_gemm_packed)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const real *a,
                                   ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b, ptrdiff_t rs_b,
                                   ptrdiff_t cs_b, real *c, ptrdiff_t ldc, const real *bias,
                                   int activation, int kernel_choice);
int FN_AVX512_TWIN(fn_gemm_packed_a32)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a,
                                       ptrdiff_t rs_a, ptrdiff_t cs_a, const real *b,
                                       ptrdiff_t rs_b, ptrdiff_t cs_b, real *c, ptrdiff_t ldc,
                                       const real *bias, int activation, int kernel_choice);
void FN_AVX512_TWIN(fn_gemm_epilogue)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                                      const real *bias, int activation, int kernel_choice);
#endif
#endif

/* A micro-kernel (kernel_portable_impl.h documents the arguments), the
 * lone-row kernel that sums like it, and the epilogue built for the same
 * instruction set (epilogue_impl.h). */
typedef void (*FN(kernel_fn))(ptrdiff_t kc, const real *pa, ptrdiff_t rs_pa, ptrdiff_t cs_pa,
                               const real *pb, real *c, ptrdiff_t ldc, int accumulate,
                               ptrdiff_t nr);
typedef void (*FN(row_fn))(ptrdiff_t kc, const real *a, ptrdiff_t cs_a, const real *b,
                            ptrdiff_t rs_b, real *c, ptrdiff_t n, int accumulate);
typedef void (*FN(epilogue_fn))(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                                 const real *bias, int activation);
typedef struct {
    FN(kernel_fn) kernel;
    FN(row_fn) row;
    FN(epilogue_fn) epilogue;
} FN(code);

#ifdef FN_ONE_KERNEL
/* A build with one micro-kernel and its epilogue (kernel_avx512.c). */
static FN(code) FN(pick_code)(int kernel_choice) {
    (void)kernel_choice;
    FN(code) code = {FN_ONE_KERNEL, FN(row_simd), FN(epilogue_block)};
    return code;
}
#else
/* The portable code, or the AVX2 code when asked for (the caller checked
 * fn_cpu_simd() first). */
static FN(code) FN(pick_code)(int kernel_choice) {
    FN(code) code = {FN(kernel_portable), FN(row_portable), FN(epilogue_block)};
#ifdef FASTNET_X86
    if (kernel_choice == FN_AVX2) {
        code.kernel = FN_AT(fn_gemm_kernel, avx2);
        code.row = FN_AT(fn_gemm_row, avx2);
        code.epilogue = FN_AT(fn_gemm_epilogue_block, avx2);
    }
#else
    (void)kernel_choice;
#endif
    return code;
}
#endif

/* C := act(C + bias) over all of C, rows split over threads when it is big
 * enough to pay: the epilogue of the NumPy path. */
void FN(fn_gemm_epilogue)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc, const real *bias,
                          int activation, int kernel_choice) {
    if (!bias && activation == FN_IDENTITY) return;
#ifdef FN_AVX512_TWIN
    if (kernel_choice == FN_AVX512) {
        FN_AVX512_TWIN(fn_gemm_epilogue)(m, n, c, ldc, bias, activation, kernel_choice);
        return;
    }
#endif
    const FN(epilogue_fn) epilogue = FN(pick_code)(kernel_choice).epilogue;
    const int nt = fn_threads_for((size_t)m * (size_t)n);
    (void)nt; /* unused in a serial build */
    #pragma omp parallel for num_threads(nt) if(nt > 1) schedule(static)
    for (ptrdiff_t i = 0; i < m; i++) epilogue(1, n, c + i * ldc, ldc, bias, activation);
}

