/* The embedding's gradient for one float type (`real`, names through FN();
 * see common/dtype_begin.h), included by embedding.c behind its entry point.
 * NumPy's np.add.at adds one element at a time; here each look-up adds a
 * whole row, and a row of dout shared by a sample's steps is read once for
 * all of them. */

/* grad[r, :] := Σ dout[i, :] over the look-ups (i, s) with ids[i, s] = r */
static void FN(fn_embedding_backward)(size_t n, size_t steps, size_t rows, size_t d,
                                      const real *dout, ptrdiff_t dout_stride,
                                      const int64_t *ids, real *grad) {
    /* Threads split the columns, as column_sum does: every column is still
     * summed in look-up order, so the result does not depend on the thread
     * count. A narrow table (the tutorials' 16 or 32 columns) stays on one
     * thread: slices narrower than a cache line would share lines. */
    const int nt = d >= 64 ? fn_threads_for(n * steps * d) : 1;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int t = 0; t < nt; t++) {
        const size_t lo = fn_slice_start(d, t, nt), w = fn_slice_start(d, t + 1, nt) - lo;
        if (w == d)
            memset(grad, 0, rows * d * sizeof(real));
        else
            for (size_t r = 0; r < rows; r++) memset(grad + r * d + lo, 0, w * sizeof(real));
        for (size_t i = 0; i < n; i++) {
            const real *restrict from = dout + (ptrdiff_t)i * dout_stride + lo;
            const int64_t *sample = ids + i * steps;
            for (size_t s = 0; s < steps; s++) {
                real *restrict to = grad + (size_t)sample[s] * d + lo;
                for (size_t j = 0; j < w; j++) to[j] += from[j];
            }
        }
    }
}
