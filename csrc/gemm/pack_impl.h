/* Packing for rungs 4-5: copy a block of A or a panel of B into the order
 * the micro-kernel reads it.
 *
 * pack_a: the (mc, kc) block of op(A) at `a` (strides rs_a, cs_a) becomes
 *   ceil(mc/MR) slivers, each kc columns of MR contiguous values:
 *   dst[s*MR*kc + p*MR + i] = A[s*MR + i, p].
 * pack_b: the (kc, nc) panel of op(B) at `b` becomes ceil(nc/NR) slivers,
 *   each kc rows of NR contiguous values: dst[s*NR*kc + p*NR + j] = B[p, s*NR + j].
 * dst is written; the rows/columns past mc or nc are zero.
 *
 * Why pack: the micro-kernel then reads both operands with unit stride from
 * memory that stays in L1/L2, whatever the layout of the caller's views
 * (transposed, sliced, negative strides all cost the same here). The zero
 * padding lets the micro-kernel always compute a full MR x NR tile.
 */

#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define FN_HAVE_SHUFFLE 1
#endif
#endif

#ifdef FN_HAVE_SHUFFLE
typedef real FN(quad) __attribute__((vector_size(4 * sizeof(real))));
typedef real FN(quad_unaligned)
    __attribute__((vector_size(4 * sizeof(real)), aligned(sizeof(real)), may_alias));

/* dst[q*width + i] = src[i*rs + q] for i, q < 4: four rows of four values
 * turned into four columns in registers (two rounds of interleaving),
 * instead of sixteen single-value loads and stores. */
static inline void FN(transpose_4x4)(const real *src, ptrdiff_t rs, real *dst, ptrdiff_t width) {
    const FN(quad) r0 = *(const FN(quad_unaligned) *)(src), r1 = *(const FN(quad_unaligned) *)(src + rs);
    const FN(quad) r2 = *(const FN(quad_unaligned) *)(src + 2 * rs);
    const FN(quad) r3 = *(const FN(quad_unaligned) *)(src + 3 * rs);
    const FN(quad) t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);
    const FN(quad) t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    const FN(quad) t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
    const FN(quad) t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    *(FN(quad_unaligned) *)(dst) = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    *(FN(quad_unaligned) *)(dst + width) = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    *(FN(quad_unaligned) *)(dst + 2 * width) = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    *(FN(quad_unaligned) *)(dst + 3 * width) = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}
#endif

/* One sliver: `rows` (<= width) vectors of length kc, padded to `width`:
 * dst[p*width + i] = src[i*rs + p*cs].
 *
 * Three layouts of a full sliver get their own loop, because packing is a
 * pass the micro-kernel waits for (for the book's shapes, 10-30 % of the
 * product before these loops were specialised):
 * - rs == 1 (e.g. row-major B): step p is one contiguous copy of width values;
 * - cs == 1 (e.g. B = W.T): a transpose, done in 4x4 register blocks
 *   (float32);
 * - otherwise one gather per step; `width` is a constant (MR or NR) after
 *   inlining, so it unrolls.
 * A short sliver (the matrix edge) is zeroed, then its valid part copied. */
static inline void FN(pack_sliver)(ptrdiff_t rows, ptrdiff_t kc, ptrdiff_t width,
                                   const real *src, ptrdiff_t rs, ptrdiff_t cs, real *dst) {
    if (rows == width && rs == 1) {
        for (ptrdiff_t p = 0; p < kc; p++) {
            const real *s = src + p * cs;
            for (ptrdiff_t i = 0; i < width; i++) dst[p * width + i] = s[i];
        }
        return;
    }
    ptrdiff_t p0 = 0;
#ifdef FN_HAVE_SHUFFLE
    /* Four floats fill one 16-byte register of the baseline instruction set;
     * for doubles the gather below measured faster. */
    if (sizeof(real) == 4 && rows == width && cs == 1) {
        for (; p0 + 4 <= kc; p0 += 4) {
            ptrdiff_t i = 0;
            for (; i + 4 <= width; i += 4) {
                FN(transpose_4x4)(src + i * rs + p0, rs, dst + p0 * width + i, width);
            }
            for (; i < width; i++) { /* MR = 6: rows 4 and 5 */
                for (ptrdiff_t q = 0; q < 4; q++) dst[(p0 + q) * width + i] = src[i * rs + p0 + q];
            }
        }
    }
#endif
    if (rows == width) {
        for (ptrdiff_t p = p0; p < kc; p++) {
            const real *s = src + p * cs;
            #pragma GCC unroll 16
            for (ptrdiff_t i = 0; i < width; i++) dst[p * width + i] = s[i * rs];
        }
        return;
    }
    memset(dst, 0, (size_t)kc * width * sizeof(real));
    for (ptrdiff_t p = 0; p < kc; p++) {
        const real *s = src + p * cs;
        for (ptrdiff_t i = 0; i < rows; i++) dst[p * width + i] = s[i * rs];
    }
}

/* Sliver s of an A block: MR rows of op(A), each along k. */
static inline void FN(pack_a_sliver)(ptrdiff_t s, ptrdiff_t mc, ptrdiff_t kc,
                              const real *a, ptrdiff_t rs_a, ptrdiff_t cs_a, real *dst) {
    const ptrdiff_t rows = mc - s * MR < MR ? mc - s * MR : MR;
    FN(pack_sliver)(rows, kc, MR, a + s * MR * rs_a, rs_a, cs_a, dst + s * MR * kc);
}

/* Sliver s of a B panel: NR columns of op(B), each along k; a column of B is
 * a "row" of B.T, hence the swapped strides. */
static inline void FN(pack_b_sliver)(ptrdiff_t s, ptrdiff_t nc, ptrdiff_t kc,
                              const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b, real *dst) {
    const ptrdiff_t cols = nc - s * NR < NR ? nc - s * NR : NR;
    FN(pack_sliver)(cols, kc, NR, b + s * NR * cs_b, cs_b, rs_b, dst + s * NR * kc);
}

/* pack_a_sliver for an A stored as float32 (the book's images against float64
 * weights): the same sliver, each value widened on its way into the buffer.
 * The conversion costs nothing extra here, since packing already reads every
 * value of A once; converting the whole of A first would be a pass and a new
 * array per product. (In the float32 build it is a plain copy.) */
static inline void FN(pack_a32_sliver)(ptrdiff_t s, ptrdiff_t mc, ptrdiff_t kc,
                                       const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                                       real *dst) {
    const ptrdiff_t rows = mc - s * MR < MR ? mc - s * MR : MR;
    const float *src = a + s * MR * rs_a;
    dst += s * MR * kc;
    if (rows == MR) {
        for (ptrdiff_t p = 0; p < kc; p++) {
            const float *col = src + p * cs_a;
            #pragma GCC unroll 16
            for (ptrdiff_t i = 0; i < MR; i++) dst[p * MR + i] = (real)col[i * rs_a];
        }
        return;
    }
    memset(dst, 0, (size_t)kc * MR * sizeof(real));
    for (ptrdiff_t p = 0; p < kc; p++) {
        const float *col = src + p * cs_a;
        for (ptrdiff_t i = 0; i < rows; i++) dst[p * MR + i] = (real)col[i * rs_a];
    }
}
