/* Dropout's mask multiply (see elementwise.h for the contract), once per float type. */
#include <stdint.h>

#include "elementwise.h"

#define FN_BODY "elementwise/mask_impl.h"
#include "common/dtype_both.h"

void fn_mask_multiply(enum fn_dtype dtype, size_t size, const void *x, const uint8_t *mask,
                      void *y) {
    FN_BY_DTYPE(dtype, fn_mask_multiply, (size, x, mask, y));
}
