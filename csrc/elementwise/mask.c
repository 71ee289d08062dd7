/* Dropout's mask multiply (see elementwise.h for the contract), once per float type. */
#include <stdint.h>

#include "elementwise.h"

#define FN_BODY "elementwise/mask_impl.h"
#include "common/dtype_both.h"
