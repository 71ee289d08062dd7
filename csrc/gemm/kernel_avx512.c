/* Rung 6: the packed GEMM (packed_impl.h) with an AVX-512 micro-kernel, for
 * float32 and float64. Only this file is compiled with -mavx512f; gemm_*.c
 * hand a call to it (FN_AVX512_TWIN) only when fn_cpu_simd() (common/simd.h) says
 * the CPU and OS support it, so the extension still runs everywhere else.
 *
 * The micro-kernel is rung 5's (kernel_simd_impl.h) with 64-byte vectors.
 * Its tile is 12 x 32 floats instead of 6 x 16, so the slivers that packing
 * writes are wider too: the whole driver is compiled here once more with the
 * block sizes of tile_avx512.h, not just the micro-kernel; its names end in
 * _avx512 (fn_<op>_<dtype>_avx512). Empty off x86-64.
 */
#ifdef FASTNET_X86
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/fast_exp.h"
#include "gemm.h"
#include "common/threads.h"

#define VBYTES 64 /* one zmm register */
#define FN_ONE_KERNEL FN(kernel_simd)

#define FN_ISA avx512
#define FN_BODY "gemm/kernel_avx512_impl.h"
#include "common/dtype_both.h"
#endif
