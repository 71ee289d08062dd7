/* Body of conv.c for one float type: the family's bodies, in the order each
 * needs the ones before it (conv_gemm and conv_pool call im2col and pool). */
#include "im2col_impl.h"
#include "pool_impl.h"
#include "conv_gemm_impl.h"
#include "conv_pool_impl.h"
