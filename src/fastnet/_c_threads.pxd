# Thread-count control (csrc/common/threads.h).

cdef extern from "common/threads.h":
    int FN_THREADS_PER_CPU
    int fn_have_openmp()
    void fn_set_num_threads(int n)
    int fn_get_num_threads()
    int fn_get_thread_cap()
