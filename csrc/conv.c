/* Convolution-era kernels (see conv.h for the contracts), once per float type. */
#include <math.h>
#include <string.h>

#include "conv.h"
#include "threads.h"

#define real float
#define FN(x) x##_f32
#include "im2col_impl.h"
#include "pool_impl.h"
#include "batchnorm_impl.h"
#undef real
#undef FN

#define real double
#define FN(x) x##_f64
#include "im2col_impl.h"
#include "pool_impl.h"
#include "batchnorm_impl.h"
#undef real
#undef FN
