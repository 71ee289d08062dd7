/* Ends a tile.h or tile_avx512.h, so the next instantiation starts clean. */
#undef FN_AVX512_TWIN
#undef ABS
#undef COPYSIGN
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef A_IN_PLACE_MAX_N
#undef A_IN_PLACE_COLUMNS
#undef BLOCK_M
#undef BLOCK_K
#undef BLOCK_N
