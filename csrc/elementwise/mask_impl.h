/* Dropout's mask multiply for one float type. Before including, define
 *   real    the element type (float or double)
 *   FN(x)   the type's name suffix, x##_f32 or x##_f64 */

void FN(fn_mask_multiply)(size_t size, const real *x, const uint8_t *mask, real *y) {
    for (size_t i = 0; i < size; i++) y[i] = x[i] * (real)mask[i];  /* x·0 keeps NaN, like NumPy */
}
