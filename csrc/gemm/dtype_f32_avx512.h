/* float32 instantiation of rung 6, the packed GEMM built for AVX-512
 * (kernel_avx512.c): `real`, FN(name) -> name_f32_avx512, and its block
 * sizes, measured on AMD Zen 5 (48 KiB L1d, 1 MiB L2 per core).
 *
 * MR x NR = 12 x 32: 12 rows x 2 vectors of 16 floats = 24 of the 32 zmm
 *   registers as accumulators, 2 for B, 1 for a broadcast A value; 24
 *   independent FMA chains hide the FMA latency on both FMA pipes.
 * KC: a KC x NR sliver of B (32 KiB) plus an MR x KC sliver of A (12 KiB)
 *   fit in L1.
 * MC: an MC x KC block of A (144 KiB) stays in L2.
 * The rest as in dtype_f32.h.
 */
#define real float
#define FN(name) name##_f32_avx512
#define ABS fabsf
#define COPYSIGN copysignf

#define MR 12
#define NR 32
#define KC 256
#define MC 144
#define NC 4096
#define A_IN_PLACE_MAX_N 256
#define A_IN_PLACE_COLUMNS 1
