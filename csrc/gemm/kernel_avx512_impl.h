/* Rung 6 for one dtype, built with AVX-512 (FN_ISA avx512): the whole packed
 * driver with the wider tile of tile_avx512.h, and the FMA roof. */
#include "tile_avx512.h"
#include "pack_impl.h"
#include "kernel_simd_impl.h"
#include "epilogue_impl.h"
#include "code_choice_impl.h"
#include "packed_impl.h"

double FN(fn_gemm_fma_roof)(long steps) { return FN(fma_roof)(steps); }

#include "tile_end.h"
