/* The block sizes of rung 6, the packed GEMM built for AVX-512
 * (kernel_avx512.c), for the dtype being instantiated, and the dtype's libm
 * names. End with tile_end.h.
 *
 * MR x NR: 12 rows x 2 vectors = 24 of the 32 zmm registers as
 *   accumulators, 2 for B, 1 for a broadcast A value: 24 independent FMA
 *   chains hide the FMA latency on both FMA pipes (32 floats or 16 doubles
 *   per row).
 * KC: a KC x NR sliver of B plus an MR x KC sliver of A fit in L1.
 * MC: an MC x KC block of A stays in L2.
 * The rest as in tile.h.
 */
#if defined(FN_DTYPE_F32)
#define ABS fabsf
#define COPYSIGN copysignf
#define NR 32
#define MC 144
#define A_IN_PLACE_COLUMNS 1
#else
#define ABS fabs
#define COPYSIGN copysign
#define NR 16
#define MC 72
#define A_IN_PLACE_COLUMNS 0
#endif
#define MR 12
#define KC 256
#define NC 4096
#define A_IN_PLACE_MAX_N 256
