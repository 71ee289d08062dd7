/* Rung 5: the AVX2+FMA micro-kernels (kernel_simd_impl.h) and epilogues
 * (epilogue_impl.h) for float32 and float64, named fn_<op>_<dtype>_avx2.
 * Only this file is compiled with -mavx2 -mfma; gemm_*.c call into it only
 * when fn_cpu_simd() (common/simd.h) says the CPU has both, so the extension
 * still runs on CPUs without AVX2. Empty off x86-64. */
#ifdef FASTNET_X86
#include <math.h>
#include <stddef.h>

#include "common/fast_exp.h"
#include "gemm.h"

#define VBYTES 32 /* one ymm register */

#define FN_ISA avx2
#define FN_BODY "gemm/kernel_avx2_impl.h"
#include "common/dtype_both.h"
#endif
