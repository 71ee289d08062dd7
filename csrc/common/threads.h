/* Thread-count control shared by every kernel.
 *
 * The single source of truth is OpenMP's own setting (omp_get_max_threads),
 * read at call time, so OMP_NUM_THREADS, fastnet.set_num_threads and
 * threadpoolctl's threadpool_limits(..., "openmp") all act on every kernel.
 * Without OpenMP everything is serial and the count is always 1.
 */
#ifndef FASTNET_THREADS_H
#define FASTNET_THREADS_H

#include <stddef.h>

#ifdef FASTNET_HAVE_OPENMP
#include <omp.h>
#endif

/* Below this many elements (or FLOPs, for GEMM) a parallel region costs more
 * than it saves: waking a second thread is ~µs, and on these shared machines a
 * busy second core makes spin-waiting threads 10x slower (BUILD_NOTES.md). */
#define FASTNET_PARALLEL_MIN_WORK ((size_t)1 << 17)

static inline int fn_max_threads(void) {
#ifdef FASTNET_HAVE_OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* How many threads a loop with `work` units should use: 1 for small work. */
static inline int fn_threads_for(size_t work) {
    if (work < FASTNET_PARALLEL_MIN_WORK) return 1;
    return fn_max_threads();
}

/* This thread's number in its parallel region: 0 outside one, or without OpenMP. */
static inline int fn_thread_num(void) {
#ifdef FASTNET_HAVE_OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int fn_have_openmp(void);
void fn_set_num_threads(int n);
int fn_get_num_threads(void);

#endif
