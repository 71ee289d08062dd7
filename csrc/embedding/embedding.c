/* The embedding's gradient (see embedding.h for the contract), once per float type. */
#include <string.h>

#include "embedding.h"

#include "common/threads.h"

#define FN_BODY "embedding/embedding_impl.h"
#include "common/dtype_both.h"

void fn_embedding_backward(enum fn_dtype dtype, size_t n, size_t steps, size_t rows, size_t d,
                           const void *dout, ptrdiff_t dout_stride, const int64_t *ids,
                           void *grad) {
    FN_BY_DTYPE(dtype, fn_embedding_backward,
                (n, steps, rows, d, dout, dout_stride, ids, grad));
}
