/* The direct single-channel convolution (conv_direct_impl.h) with AVX2+FMA
 * vectors: 8 floats or 4 doubles per register, 12 of the 16 registers as
 * accumulators. Only this file is compiled with -mavx2 -mfma; conv_direct.c
 * calls it only for the AVX2 (or AVX-512) GEMM kernel code, which fastnet
 * picks only when CPUID reports both. Empty off x86-64. */
#ifdef FASTNET_X86
#include "conv_direct.h"
#include "common/threads.h"

#define VBYTES 32
#define ACC 12

#define FN_ISA avx2
#define FN_BODY "conv/conv_direct_impl.h"
#include "common/dtype_both.h"
#endif
