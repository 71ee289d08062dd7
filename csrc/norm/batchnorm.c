/* Batch normalization (see batchnorm.h for the contracts), once per float type. */
#include <math.h>

#include "batchnorm.h"

#define FN_DTYPE_F32
#include "common/dtype_begin.h"
#include "batchnorm_impl.h"
#include "common/dtype_end.h"

#define FN_DTYPE_F64
#include "common/dtype_begin.h"
#include "batchnorm_impl.h"
#include "common/dtype_end.h"
