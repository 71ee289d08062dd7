/* The direct single-channel convolution (conv_direct_impl.h) with AVX-512
 * vectors: 16 floats or 8 doubles per register, 24 of the 32 registers as
 * accumulators. Only this file is compiled with -mavx512f; conv_direct.c
 * calls it only for the AVX-512 GEMM kernel code, which fastnet picks only
 * when CPUID reports AVX-512F. Empty off x86-64. */
#ifdef FASTNET_X86
#include "conv_direct.h"
#include "common/threads.h"

#define VBYTES 64
#define ACC 24

#define FN_ISA avx512
#define FN_BODY "conv/conv_direct_impl.h"
#include "common/dtype_both.h"
#endif
