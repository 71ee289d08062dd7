/* The convolution family (see conv.h for the contracts), once per float type. */
#include <math.h>
#include <string.h>

#include "common/simd.h"
#include "conv.h"
#include "conv_direct.h"
#include "gemm/gemm.h"
#include "common/threads.h"

#define FN_BODY "conv/conv_impl.h"
#include "common/dtype_both.h"
