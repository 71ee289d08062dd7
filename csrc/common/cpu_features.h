/* Which SIMD instructions this CPU has, asked at run time (CPUID).
 *
 * Kernels compiled with -mavx2 -mfma live in their own files; the rest of
 * the extension is baseline x86-64, so the wheel still runs on a CPU without
 * AVX2 as long as the AVX2 code is only called when this says yes.
 */
#ifndef FASTNET_CPU_FEATURES_H
#define FASTNET_CPU_FEATURES_H

/* 1 when the CPU (and OS) support AVX2 and FMA3, else 0; always 0 off x86-64. */
int fn_cpu_has_avx2_fma(void);

/* 1 when the CPU (and OS) support AVX-512F, else 0; always 0 off x86-64. */
int fn_cpu_has_avx512f(void);

#endif
