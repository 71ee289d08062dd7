/* Batch normalization (see batchnorm.h for the contracts), once per float type. */
#include <math.h>

#include "batchnorm.h"

#define real float
#define FN(x) x##_f32
#include "batchnorm_impl.h"
#undef real
#undef FN

#define real double
#define FN(x) x##_f64
#include "batchnorm_impl.h"
#undef real
#undef FN
