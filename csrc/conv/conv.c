/* The convolution family (see conv.h for the contracts), once per float type. */
#include <math.h>
#include <string.h>

#include "common/simd.h"
#include "conv.h"
#include "conv_direct.h"
#include "gemm/gemm.h"
#include "common/threads.h"

#define real float
#define same_int int32_t /* an integer as wide as real */
#define FN(x) x##_f32
#include "im2col_impl.h"
#include "pool_impl.h"
#include "conv_gemm_impl.h"
#include "conv_pool_impl.h"
#undef real
#undef same_int
#undef FN

#define real double
#define same_int int64_t
#define FN(x) x##_f64
#include "im2col_impl.h"
#include "pool_impl.h"
#include "conv_gemm_impl.h"
#include "conv_pool_impl.h"
#undef real
#undef same_int
#undef FN
