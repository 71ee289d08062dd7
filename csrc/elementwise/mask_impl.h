/* Dropout's mask multiply for one float type (`real`, names through FN(); see
 * common/dtype_begin.h). */

static void FN(fn_mask_multiply)(size_t size, const real *x, const uint8_t *mask, real *y) {
    for (size_t i = 0; i < size; i++) y[i] = x[i] * (real)mask[i];  /* x·0 keeps NaN, like NumPy */
}
