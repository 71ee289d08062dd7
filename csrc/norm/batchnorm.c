/* Batch normalization (see batchnorm.h for the contracts), once per float type. */
#include <math.h>

#include "batchnorm.h"

#define FN_BODY "norm/batchnorm_impl.h"
#include "common/dtype_both.h"
