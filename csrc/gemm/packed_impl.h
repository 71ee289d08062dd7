/* Rungs 4-5 — packed, blocked GEMM with a fused epilogue:
 * C := act(A·B + bias)
 *
 * a: (m, k) view (rs_a, cs_a); b: (k, n) view (rs_b, cs_b); c: (m, n)
 * row-major with row stride ldc, written; bias: (n,) or NULL; activation: an
 * fn_gemm_activation; kernel_choice: an fn_gemm_kernel.
 * Returns 0, or -1 when the packing buffers cannot be allocated.
 *
 * The BLIS/GotoBLAS structure: a KC x NC panel of B is packed once and kept
 * in L3/L2, an MC x KC block of A is packed and kept in L2, and the
 * micro-kernel multiplies MR x KC slivers of A by KC x NR slivers of B
 * (in L1) into an MR x NR tile of C held in registers. The first k-block
 * writes C, later ones add to it, and the last one applies bias and
 * activation to each tile while it is in L1. With several threads, each
 * computes its own slab of C that way (fn_gemm_packed_* at the end).
 */

static void *FN(aligned_buffer)(size_t count) {
    void *p = NULL;
    /* 64 B: a cache line, and more than an AVX load needs. */
    if (posix_memalign(&p, 64, count * sizeof(real)) != 0) return NULL;
    return p;
}

/* The mc x kc block of A at `a` as MR-row slivers for the micro-kernel.
 *
 * In place (rows of A contiguous, or for float32 its columns; narrow C),
 * the micro-kernel reads full slivers where they are (its broadcasts take
 * any strides) and only the last, short sliver is copied and zero-padded:
 * for the book's layer shapes (n = 50) packing all of A cost a third of the
 * product. Otherwise the block is packed whole. A packed sliver s is at
 * a_pack + s*MR*kc with strides (1, MR); macro_kernel picks the source.
 * An A stored as float32 (a32 instead of a) is always packed: that is where
 * it is widened. */
static void FN(prepare_a)(ptrdiff_t mc, ptrdiff_t kc, const real *a, const float *a32,
                          ptrdiff_t rs_a, ptrdiff_t cs_a, int in_place, real *a_pack) {
    for (ptrdiff_t s = 0; s < (mc + MR - 1) / MR; s++) {
        if (a32) {
            FN(pack_a32_sliver)(s, mc, kc, a32, rs_a, cs_a, a_pack);
        } else if (!in_place || mc - s * MR < MR) {
            FN(pack_a_sliver)(s, mc, kc, a, rs_a, cs_a, a_pack);
        }
    }
}

/* The element at `offset` of whichever of a / a32 holds A (the other is NULL). */
static inline const real *FN(a_at)(const real *a, ptrdiff_t offset) {
    return a ? a + offset : NULL;
}
static inline const float *FN(a32_at)(const float *a32, ptrdiff_t offset) {
    return a32 ? a32 + offset : NULL;
}

/* The macro-kernel: every MR x NR tile of the mc x nc block of C. */
static void FN(macro_kernel)(FN(code) code, ptrdiff_t mc, ptrdiff_t nc, ptrdiff_t kc,
                             const real *a, ptrdiff_t rs_a, ptrdiff_t cs_a, int a_in_place,
                             const real *a_pack, const real *b_pack, real *c, ptrdiff_t ldc,
                             int accumulate, int last, const real *bias, int activation) {
    const int has_epilogue = last && (bias || activation != FN_IDENTITY);
    for (ptrdiff_t jr = 0; jr < nc; jr += NR) {
        const ptrdiff_t nr = nc - jr < NR ? nc - jr : NR;
        const real *b_sliver = b_pack + jr * kc;
        for (ptrdiff_t ir = 0; ir < mc; ir += MR) {
            const ptrdiff_t mr = mc - ir < MR ? mc - ir : MR;
            real *c_tile = c + ir * ldc + jr;
            const int packed = !a_in_place || mr < MR;
            const real *a_sliver = packed ? a_pack + ir * kc : a + ir * rs_a;
            const ptrdiff_t rs = packed ? 1 : rs_a, cs = packed ? MR : cs_a;
            if (mr == MR && nr == NR) {
                code.kernel(kc, a_sliver, rs, cs, b_sliver, c_tile, ldc, accumulate, NR);
            } else {
                /* Edge tile: compute the full padded tile aside, keep the valid part. */
                real edge[MR * NR] __attribute__((aligned(64)));
                code.kernel(kc, a_sliver, rs, cs, b_sliver, edge, NR, 0, nr);
                for (ptrdiff_t i = 0; i < mr; i++) {
                    for (ptrdiff_t j = 0; j < nr; j++) {
                        c_tile[i * ldc + j] = accumulate ? c_tile[i * ldc + j] + edge[i * NR + j]
                                                         : edge[i * NR + j];
                    }
                }
            }
            if (has_epilogue) {
                code.epilogue(mr, nr, c_tile, ldc, bias ? bias + jr : NULL, activation);
            }
        }
    }
}

/* The k-blocks of a depth-k product: equal blocks of at most KC (784 = 4 x
 * 196, not 3 x 256 + 16), since a thin last block would pay the packing and
 * the reload of C for little work. Every path sums in these blocks. */
static ptrdiff_t FN(k_block)(ptrdiff_t k) {
    const ptrdiff_t k_blocks = (k + KC - 1) / KC;
    return (k + k_blocks - 1) / k_blocks;
}

#ifndef LONE_ROWS_MAX
/* Up to this many rows of C take the lone-row path (row_serial) one by one:
 * each row streams all of B, so past a few rows packing B once is cheaper
 * (the crossover: benchmarks/README.md, "Lab notes"). */
#define LONE_ROWS_MAX 4
#endif

/* A lone row of C (m = 1, B's rows contiguous): each k-block by the row
 * kernel, B read where it is, then the epilogue on the same NR-wide pieces
 * as the tiles get it. Packing B would copy every value of it for a single
 * use; this sums exactly as the packed path does, so the row equals the
 * same row computed in a batch. A float32 A is widened first, into `widened`
 * (k values, the caller's: one buffer serves all the rows). */
static void FN(row_serial)(FN(code) code, ptrdiff_t n, ptrdiff_t k, const real *a,
                           const float *a32, ptrdiff_t cs_a, const real *b, ptrdiff_t rs_b,
                           real *c, const real *bias, int activation, real *widened) {
    if (a32) {
        for (ptrdiff_t p = 0; p < k; p++) widened[p] = (real)a32[p * cs_a];
        a = widened;
        cs_a = 1;
    }
    const ptrdiff_t kc_max = FN(k_block)(k);
    for (ptrdiff_t pc = 0; pc < k; pc += kc_max) {
        const ptrdiff_t kc = k - pc < kc_max ? k - pc : kc_max;
        code.row(kc, a + pc * cs_a, cs_a, b + pc * rs_b, rs_b, c, n, pc > 0);
    }
    if (bias || activation != FN_IDENTITY) {
        for (ptrdiff_t jr = 0; jr < n; jr += NR) {
            code.epilogue(1, n - jr < NR ? n - jr : NR, c + jr, n, bias ? bias + jr : NULL,
                          activation);
        }
    }
}

/* One thread's GEMM (the whole algorithm above, serially) on C's (m, n)
 * block at c: the jc / pc / ic loops around the macro-kernel. Allocates and
 * frees its own packing buffers. Returns 0, or -1 when they cannot be had.
 * A is read from `a`, or from `a32` when it is stored as float32 (one is NULL). */
static int FN(packed_serial)(FN(code) code, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                             const real *a, const float *a32, ptrdiff_t rs_a, ptrdiff_t cs_a,
                             const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                             real *c, ptrdiff_t ldc, const real *bias, int activation) {
    if (m <= LONE_ROWS_MAX && cs_b == 1) {
        /* A few rows: each by the lone-row kernel, B read in place m times
         * rather than packed once for a tile that would be mostly padding. */
        real *widened = NULL;
        if (a32 && !(widened = FN(aligned_buffer)((size_t)k))) return -1;
        for (ptrdiff_t i = 0; i < m; i++)
            FN(row_serial)(code, n, k, FN(a_at)(a, i * rs_a), FN(a32_at)(a32, i * rs_a), cs_a,
                           b, rs_b, c + i * ldc, bias, activation, widened);
        free(widened);
        return 0;
    }
    /* Packing A costs a pass over it; the product reuses each element of A
     * 2n times, so for narrow C (the book's n = 50) the pass is a large share
     * and A is read in place when its layout allows (see prepare_a). */
    const int a_in_place =
        !a32 && (cs_a == 1 || (A_IN_PLACE_COLUMNS && rs_a == 1)) && n <= A_IN_PLACE_MAX_N;
    /* Row blocks of equal size too (see k_block), at most MC, whole MR slivers. */
    const ptrdiff_t m_blocks = (m + MC - 1) / MC;
    const ptrdiff_t mc_max = ((m + m_blocks - 1) / m_blocks + MR - 1) / MR * MR;
    const ptrdiff_t kc_max = FN(k_block)(k);
    const ptrdiff_t nc_max = n < NC ? (n + NR - 1) / NR * NR : NC;
    real *b_pack = FN(aligned_buffer)((size_t)kc_max * nc_max);
    real *a_pack = FN(aligned_buffer)((size_t)mc_max * kc_max);
    if (!b_pack || !a_pack) {
        free(b_pack);
        free(a_pack);
        return -1;
    }
    for (ptrdiff_t jc = 0; jc < n; jc += NC) {
        const ptrdiff_t nc = n - jc < NC ? n - jc : NC;
        for (ptrdiff_t pc = 0; pc < k; pc += kc_max) {
            const ptrdiff_t kc = k - pc < kc_max ? k - pc : kc_max;
            const real *b_panel = b + pc * rs_b + jc * cs_b;
            for (ptrdiff_t s = 0; s < (nc + NR - 1) / NR; s++) {
                FN(pack_b_sliver)(s, nc, kc, b_panel, rs_b, cs_b, b_pack);
            }
            for (ptrdiff_t ic = 0; ic < m; ic += mc_max) {
                const ptrdiff_t mc = m - ic < mc_max ? m - ic : mc_max;
                const ptrdiff_t a_offset = ic * rs_a + pc * cs_a;
                const real *a_block = FN(a_at)(a, a_offset);
                FN(prepare_a)(mc, kc, a_block, FN(a32_at)(a32, a_offset), rs_a, cs_a,
                              a_in_place, a_pack);
                FN(macro_kernel)(code, mc, nc, kc, a_block, rs_a, cs_a, a_in_place, a_pack,
                                 b_pack, c + ic * ldc + jc, ldc, pc > 0, pc + kc == k,
                                 bias ? bias + jc : NULL, activation);
            }
        }
    }
    free(b_pack);
    free(a_pack);
    return 0;
}

/* Below this many flops a second thread does not pay for waking it under
 * OMP_WAIT_POLICY=PASSIVE (fastnet's default). What decides is the product's
 * time on one core, and a flop takes longer the narrower the vectors: with
 * the AVX-512 build (kernel_avx512.c) the book's 7.8 MFLOP layer products
 * gain little or nothing from a second thread, 256³ a lot; with the AVX2 and
 * portable builds those layer products take several times longer and gain,
 * from about 0.2 ms on one core: 6 MFLOP in float32, half that in float64
 * (whose flops take twice as long). */
#if defined(FN_ONE_KERNEL)
#define PARALLEL_MIN_FLOPS ((size_t)1 << 24)
#elif defined(FN_DTYPE_F32)
#define PARALLEL_MIN_FLOPS ((size_t)6 << 20)
#else
#define PARALLEL_MIN_FLOPS ((size_t)3 << 20)
#endif

/* Thread t's share [*start, *end) of `size` rows (or columns) in units of
 * `unit` (MR or NR), so no slab boundary adds an edge tile. */
static void FN(slab)(ptrdiff_t size, ptrdiff_t unit, int t, int nt, ptrdiff_t *start,
                     ptrdiff_t *end) {
    const ptrdiff_t units = (size + unit - 1) / unit;
    const ptrdiff_t lo = units * t / nt * unit, hi = units * (t + 1) / nt * unit;
    *start = lo < size ? lo : size;
    *end = hi < size ? hi : size;
}

/* The GEMM of fn_gemm_packed and fn_gemm_packed_a32: A at `a`, or at `a32`
 * when stored as float32 (the other is NULL). */
static int FN(packed)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                      const real *a, const float *a32, ptrdiff_t rs_a, ptrdiff_t cs_a,
                      const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                      real *c, ptrdiff_t ldc, const real *bias, int activation,
                      int kernel_choice) {
    if (m == 0 || n == 0) return 0;
#ifdef FN_AVX512_TWIN
    if (kernel_choice == FN_AVX512) {
        return a32 ? FN_AVX512_TWIN(fn_gemm_packed_a32)(m, n, k, a32, rs_a, cs_a, b, rs_b, cs_b,
                                                        c, ldc, bias, activation, kernel_choice)
                   : FN_AVX512_TWIN(fn_gemm_packed)(m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c,
                                                    ldc, bias, activation, kernel_choice);
    }
#endif
    if (k == 0) { /* an empty sum: C = act(0 + bias) */
        for (ptrdiff_t i = 0; i < m; i++) {
            for (ptrdiff_t j = 0; j < n; j++) c[i * ldc + j] = 0;
        }
        FN(fn_gemm_epilogue)(m, n, c, ldc, bias, activation, kernel_choice);
        return 0;
    }
    const FN(code) code = FN(pick_code)(kernel_choice);
    const size_t flops = 2 * (size_t)m * (size_t)n * (size_t)k;
    const int nt = flops < PARALLEL_MIN_FLOPS || fn_in_parallel() ? 1 : fn_threads_for(flops);
    if (nt == 1) { /* no parallel region: even a 1-thread one costs a share of a small product */
        return FN(packed_serial)(code, m, n, k, a, a32, rs_a, cs_a, b, rs_b, cs_b, c, ldc,
                                 bias, activation);
    }
    /* Threads split C into slabs along its longer side and each runs the
     * serial GEMM on its slab: no shared buffers and no barriers, so nothing
     * to race on and nothing to wait for (1.9x at 1024³ on 2 cores, a bit
     * above a version sharing one packed B panel with two barriers per
     * k-block). The price: each thread packs the other operand itself. */
    const int split_rows = m >= n;
    int failed = 0;
    #pragma omp parallel num_threads(nt) reduction(| : failed)
    {
        ptrdiff_t lo, hi;
#ifdef FASTNET_HAVE_OPENMP
        const int t = omp_get_thread_num(), threads = omp_get_num_threads();
#else
        const int t = 0, threads = 1;
#endif
        if (split_rows) {
            FN(slab)(m, MR, t, threads, &lo, &hi);
            if (hi > lo) {
                failed |= FN(packed_serial)(code, hi - lo, n, k, FN(a_at)(a, lo * rs_a),
                                            FN(a32_at)(a32, lo * rs_a), rs_a, cs_a, b, rs_b,
                                            cs_b, c + lo * ldc, ldc, bias, activation);
            }
        } else {
            FN(slab)(n, NR, t, threads, &lo, &hi);
            if (hi > lo) {
                failed |= FN(packed_serial)(code, m, hi - lo, k, a, a32, rs_a, cs_a, b + lo * cs_b,
                                            rs_b, cs_b, c + lo, ldc, bias ? bias + lo : NULL,
                                            activation);
            }
        }
    }
    return failed ? -1 : 0;
}

int FN(fn_gemm_packed)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const real *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                       const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                       real *c, ptrdiff_t ldc, const real *bias, int activation,
                       int kernel_choice) {
    return FN(packed)(m, n, k, a, NULL, rs_a, cs_a, b, rs_b, cs_b, c, ldc, bias, activation,
                      kernel_choice);
}

/* The same with A stored as float32 and B, C, bias of this dtype: what NumPy
 * computes for float32 @ float64 (promotion to float64), with A widened
 * while it is packed instead of converted whole beforehand. */
int FN(fn_gemm_packed_a32)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                           const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                           const real *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                           real *c, ptrdiff_t ldc, const real *bias, int activation,
                           int kernel_choice) {
    return FN(packed)(m, n, k, NULL, a, rs_a, cs_a, b, rs_b, cs_b, c, ldc, bias, activation,
                      kernel_choice);
}

#undef PARALLEL_MIN_FLOPS
