/* The convolution family (see conv.h for the contracts), once per float type. */
#include <math.h>
#include <string.h>

#include "common/simd.h"
#include "conv.h"
#include "conv_direct.h"
#include "gemm/gemm.h"
#include "common/threads.h"

#define FN_DTYPE_F32
#include "common/dtype_begin.h"
#include "im2col_impl.h"
#include "pool_impl.h"
#include "conv_gemm_impl.h"
#include "conv_pool_impl.h"
#include "common/dtype_end.h"

#define FN_DTYPE_F64
#include "common/dtype_begin.h"
#include "im2col_impl.h"
#include "pool_impl.h"
#include "conv_gemm_impl.h"
#include "conv_pool_impl.h"
#include "common/dtype_end.h"
