/* The block sizes of the ladder for the portable and AVX2 micro-kernels
 * (rungs 3-5), for the dtype being instantiated (common/dtype_begin.h), and
 * the dtype's libm names. End with tile_end.h.
 *
 * MR x NR: the micro-kernel's tile of C. For AVX2, 6 rows x 2 vectors = 12
 *   of the 16 ymm registers as accumulators, 2 for B, 1 for a broadcast A
 *   value (16 floats or 8 doubles per row).
 * KC: a KC x NR sliver of B plus an MR x KC sliver of A fit in L1.
 * MC: an MC x KC block of A stays in L2 (under a third of 512 KiB).
 * NC: a KC x NC panel of B stays in L3; a multiple of NR.
 * A_IN_PLACE_MAX_N: up to this many columns of C, A is not packed (packed_impl.h).
 * A_IN_PLACE_COLUMNS: column-major A (X.T) is read in place too (as tuned:
 *   float32 only).
 * BLOCK_*: rung 3's tiles (one BLOCK_K x BLOCK_N tile of B in L2).
 * The sizes were tuned with benchmarks/bench_gemm.py (benchmarks/README.md).
 */
#if defined(FN_DTYPE_F32)
#define ABS fabsf
#define COPYSIGN copysignf
#define NR 16
#define MC 144
#define A_IN_PLACE_COLUMNS 1
#define BLOCK_N 512
#else
#define ABS fabs
#define COPYSIGN copysign
#define NR 8
#define MC 72
#define A_IN_PLACE_COLUMNS 0
#define BLOCK_N 256
#endif
#define MR 6
#define KC 256
#define NC 4096
#define A_IN_PLACE_MAX_N 256
#define BLOCK_M 64
#define BLOCK_K 128

#ifdef FASTNET_X86
/* Rung 6, the whole packed GEMM built for AVX-512 (kernel_avx512.c). */
#define FN_AVX512_TWIN(name) FN_AT(name, avx512)
#endif
