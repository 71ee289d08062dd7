/* Which SIMD level the kernels run: the one picker every family uses.
 *
 * Files that hold AVX2 or AVX-512 code are compiled with those flags alone;
 * the rest of the extension is baseline x86-64, so a wheel still runs on a
 * CPU without AVX2 as long as a build is only called when its level is at or
 * below the CPU's (CPUID says which).
 */
#ifndef FASTNET_SIMD_H
#define FASTNET_SIMD_H

#include "vocabulary.h"

/* The widest level this CPU and OS support; FN_PORTABLE off x86-64. */
enum fn_simd fn_cpu_simd(void);

/* The level the elementwise, loss and convolution kernels run: fn_cpu_simd()
 * capped by the environment variable FASTNET_SIMD ("portable", "avx2" or
 * "avx512"; its old name FASTNET_ELEMENTWISE_SIMD is still read when it is
 * unset). Decided once per process. The GEMM's level is chosen in Python and
 * passed to each call instead, so that tests can switch it. */
enum fn_simd fn_simd_level(void);

#endif
