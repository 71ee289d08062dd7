/* float64 instantiation of the ladder: `real` and FN(name) -> name_f64, and
 * the block sizes, tuned on AMD Zen 3 (32 KiB L1d, 512 KiB L2 per core).
 *
 * MR x NR = 6 x 8: the AVX2 tile, 6 rows x 2 vectors of 4 doubles = 12 of
 *   the 16 ymm registers as accumulators, 2 for B, 1 for a broadcast A value.
 * KC: a KC x NR sliver of B (16 KiB) plus an MR x KC sliver of A fit in L1.
 * MC: an MC x KC block of A (144 KiB, over a quarter of L2) stays in L2.
 * NC: a KC x NC panel of B stays in L3; a multiple of NR.
 * A_IN_PLACE_MAX_N: up to this many columns of C, A is not packed (packed_impl.h);
 * A_IN_PLACE_COLUMNS: column-major A (X.T) is packed: 4 % faster than reading it in place
 *   (measured on the book's 784x100x50 X.T·dY).
 * BLOCK_*: rung 3's tiles (one BLOCK_K x BLOCK_N tile of B in L2).
 * Tuning (1 thread, Zen 3): KC 128-384 x MC 48-144 all gave 1024³ within
 * ±5 % (the noise of a shared machine).
 */
#define real double
#define FN(name) name##_f64
#ifdef FASTNET_X86
#define FN_AVX512_TWIN(name) name##_f64_avx512 /* rung 6, kernel_avx512.c */
#endif
#define ABS fabs
#define COPYSIGN copysign

#define MR 6
#define NR 8
#define KC 256
#define MC 72
#define NC 4096
#define A_IN_PLACE_MAX_N 256
#define A_IN_PLACE_COLUMNS 0

#define BLOCK_M 64
#define BLOCK_K 128
#define BLOCK_N 256
