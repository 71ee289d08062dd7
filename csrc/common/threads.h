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
 * than it saves: waking a second thread takes microseconds, and on a shared
 * machine a busy second core makes spin-waiting threads far slower
 * (BUILD_NOTES.md). */
#define FASTNET_PARALLEL_MIN_WORK ((size_t)1 << 17)

/* At most this many threads per processor: fastnet.threads.max_threads(). */
#define FN_THREADS_PER_CPU 4

/* The most threads a kernel starts: FN_THREADS_PER_CPU per processor OpenMP
 * may use. GNU OpenMP crashes (a segfault, not an error) on a team of
 * 100000. fastnet.threads bounds OMP_NUM_THREADS before OpenMP reads it and
 * bounds the importing thread's count; but OpenMP's count is kept per
 * calling thread, and when another library loaded OpenMP first, any other
 * thread of the caller still starts from the absurd value OpenMP read. */
static inline int fn_thread_cap(void) {
#ifdef FASTNET_HAVE_OPENMP
    /* Counted once per module: GNU OpenMP asks the kernel for the affinity
     * mask on every omp_get_num_procs(). Threads racing here store the same
     * value. */
    static int cap = 0;
    int known = __atomic_load_n(&cap, __ATOMIC_RELAXED);
    if (!known) {
        known = FN_THREADS_PER_CPU * omp_get_num_procs();
        __atomic_store_n(&cap, known, __ATOMIC_RELAXED);
    }
    return known;
#else
    return 1;
#endif
}

/* OpenMP's thread count for the calling thread, bounded by fn_thread_cap. */
static inline int fn_max_threads(void) {
#ifdef FASTNET_HAVE_OPENMP
    const int wanted = omp_get_max_threads(), cap = fn_thread_cap();
    return wanted < cap ? wanted : cap;
#else
    return 1;
#endif
}

/* How many threads a loop with `work` units should use: 1 for small work. */
static inline int fn_threads_for(size_t work) {
    if (work < FASTNET_PARALLEL_MIN_WORK) return 1;
    return fn_max_threads();
}

/* True inside a parallel region (a kernel called by a threaded kernel, such as
 * a convolution's GEMM per chunk of images): its own loops then stay on the
 * calling thread instead of asking for a nested team. */
static inline int fn_in_parallel(void) {
#ifdef FASTNET_HAVE_OPENMP
    return omp_in_parallel();
#else
    return 0;
#endif
}

/* The first element of thread t's slice when n elements are split into nt
 * contiguous slices. */
static inline size_t fn_slice_start(size_t n, int t, int nt) {
    return n * (size_t)t / (size_t)nt;
}

/* `FN_PARALLEL_FOR(n, i) body` runs body for i in [0, n), each of
 * fn_threads_for(n) threads on one contiguous slice: for elementwise work,
 * whose result does not depend on the number of threads. Once per function
 * (it declares a variable). */
#define FN_PARALLEL_FOR(n, i)                                                             \
    const int fn_nt_ = fn_threads_for(n);                                                 \
    _Pragma("omp parallel for num_threads(fn_nt_) if (fn_nt_ > 1) schedule(static)")     \
    for (int fn_t_ = 0; fn_t_ < fn_nt_; fn_t_++)                                          \
        for (size_t i = fn_slice_start(n, fn_t_, fn_nt_),                                 \
                    i##_end = fn_slice_start(n, fn_t_ + 1, fn_nt_);                       \
             i < i##_end; i++)

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
int fn_get_thread_cap(void);

#endif
