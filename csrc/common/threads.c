/* fastnet.set_num_threads / get_num_threads: see threads.h. */
#include "threads.h"

int fn_have_openmp(void) {
#ifdef FASTNET_HAVE_OPENMP
    return 1;
#else
    return 0;
#endif
}

void fn_set_num_threads(int n) {
#ifdef FASTNET_HAVE_OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

int fn_get_num_threads(void) { return fn_max_threads(); }

int fn_get_thread_cap(void) { return fn_thread_cap(); }
