/* Dropout's mask multiply (see elementwise.h for the contract), once per float type. */
#include <stdint.h>

#include "elementwise.h"

#define FN_DTYPE_F32
#include "common/dtype_begin.h"
#include "mask_impl.h"
#include "common/dtype_end.h"

#define FN_DTYPE_F64
#include "common/dtype_begin.h"
#include "mask_impl.h"
#include "common/dtype_end.h"
