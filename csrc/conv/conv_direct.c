/* The direct single-channel convolution (conv_direct.h): its portable build
 * (16-byte vectors, which GCC lowers to SSE2 on baseline x86-64 and to
 * whatever another CPU has), the choice of build from the GEMM's kernel
 * code, and the shapes it is used for. */
#include <stdlib.h>
#include <string.h>

#include "conv_direct.h"
#include "gemm/gemm.h"
#include "common/threads.h"

#define VBYTES 16
#define ACC 12

#define FN_ISA portable
#define FN_BODY "conv/conv_direct_impl.h"
#include "common/dtype_both.h"

#ifdef FASTNET_X86
/* conv_direct_avx2.c and conv_direct_avx512.c */
#define FN_DECLARE(real, suffix)                                                              \
    int fn_conv_direct_forward_##suffix(const fn_window *g, const real *x,                   \
                                        const ptrdiff_t xs[4], const real *w,                 \
                                        ptrdiff_t filters, const real *bias, int relu,        \
                                        real *out);                                           \
    int fn_conv_direct_dwt_##suffix(const fn_window *g, const real *x, const ptrdiff_t xs[4], \
                                    const real *d, ptrdiff_t drs, ptrdiff_t filters, real *dwt);
FN_DECLARE(float, f32_avx2)
FN_DECLARE(double, f64_avx2)
FN_DECLARE(float, f32_avx512)
FN_DECLARE(double, f64_avx512)
#undef FN_DECLARE
/* The build for the GEMM's kernel code (already capped to this CPU). */
#define FN_PICK(name, kernel)                                    \
    ((kernel) == FN_AVX512 ? name##_avx512                \
     : (kernel) == FN_AVX2 ? name##_avx2 : name##_portable)
#else
#define FN_PICK(name, kernel) name##_portable
#endif

/* Every single-channel convolution takes the direct path: it beat patches +
 * the same build's GEMM at every shape tried (benchmarks/README.md, "Lab
 * notes"). FASTNET_CONV_DIRECT=off turns it off (for such comparisons); read
 * once. */
static int fn_direct_enabled = -1;

int fn_conv_direct_wanted(const fn_window *g, ptrdiff_t filters, int kernel) {
    if (fn_direct_enabled < 0) {
        const char *env = getenv("FASTNET_CONV_DIRECT");
        fn_direct_enabled = !(env && strcmp(env, "off") == 0);
    }
    (void)filters, (void)kernel;
    return fn_direct_enabled && g->c == 1;
}

/* The public functions for one float type (conv_direct.h): the build the
 * kernel code picks. Its kernels apply relu themselves; sigmoid and tanh run
 * the GEMM's epilogue over the finished output. */
#define FN_DIRECT_API(real, t)                                                                \
    int fn_conv_direct_forward_##t(const fn_window *g, const real *x, const ptrdiff_t xs[4],  \
                                   const real *w, ptrdiff_t filters, const real *bias,        \
                                   int activation, int kernel, real *out) {                   \
        if (FN_PICK(fn_conv_direct_forward_##t, kernel)(g, x, xs, w, filters, bias,           \
                                                        activation == FN_RELU, out))      \
            return -1;                                                                        \
        if (activation != FN_RELU)                                                        \
            fn_gemm_epilogue_##t(g->n * g->oh * g->ow, filters, out, filters, NULL,           \
                                 activation, kernel);                                         \
        return 0;                                                                             \
    }                                                                                         \
    int fn_conv_direct_dwt_##t(const fn_window *g, const real *x, const ptrdiff_t xs[4],      \
                               const real *d, ptrdiff_t drs, ptrdiff_t filters, int kernel,   \
                               real *dwt) {                                                   \
        return FN_PICK(fn_conv_direct_dwt_##t, kernel)(g, x, xs, d, drs, filters, dwt);       \
    }
FN_DIRECT_API(float, f32)
FN_DIRECT_API(double, f64)
