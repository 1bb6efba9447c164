# The only place that touches OpenMP. Without OpenMP the functions below are
# serial stubs, so every kernel builds and runs (single-threaded) anyway.
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define PYC_HAVE_OPENMP 1
    static int pyc_thread_num(void) { return omp_get_thread_num(); }
    static int pyc_omp_version(void) { return _OPENMP; }
    /* inside `with parallel():` -- Cython's prange there is an `omp for nowait` */
    static void pyc_barrier(void) {
    #pragma omp barrier
    }
    #else
    #define PYC_HAVE_OPENMP 0
    static int pyc_thread_num(void) { return 0; }
    static int pyc_omp_version(void) { return 0; }
    static void pyc_barrier(void) {}
    #endif
    """
    const int PYC_HAVE_OPENMP
    int pyc_thread_num() noexcept nogil
    int pyc_omp_version() noexcept nogil
    void pyc_barrier() noexcept nogil
