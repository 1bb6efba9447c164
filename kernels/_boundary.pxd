# Border-mode index arithmetic shared by every Cython kernel family, the twin of
# pycompute/_numba/_boundary.py. Mode codes come from
# pycompute._validation.MODE_CODES (scipy.ndimage's names and semantics):
#   0 reflect   (d c b a | a b c d | d c b a)   also 'grid-mirror'
#   1 mirror    (d c b | a b c d | c b a)
#   2 nearest   (a a a | a b c d | d d d)
#   3 wrap      (a b c d | a b c d | a b c d)   also 'grid-wrap'
#   4 constant  (k k k | a b c d | k k k)       also 'grid-constant'; -1 means "use cval"
cdef enum:
    MODE_REFLECT = 0
    MODE_MIRROR = 1
    MODE_NEAREST = 2
    MODE_WRAP = 3
    MODE_CONSTANT = 4


cdef inline Py_ssize_t boundary_index(Py_ssize_t i, Py_ssize_t n, int mode) noexcept nogil:
    """Index into [0, n) that position ``i`` (any integer) reads, or -1 for the constant."""
    cdef Py_ssize_t p
    if 0 <= i < n:
        return i
    if mode == MODE_CONSTANT:
        return -1
    if mode == MODE_NEAREST:
        return 0 if i < 0 else n - 1
    if mode == MODE_WRAP:
        p = i % n
        return p + n if p < 0 else p
    if mode == MODE_REFLECT:
        p = i % (2 * n)
        if p < 0:
            p += 2 * n
        return p if p < n else 2 * n - 1 - p
    # mirror
    if n == 1:
        return 0
    p = i % (2 * n - 2)
    if p < 0:
        p += 2 * n - 2
    return p if p < n else 2 * n - 2 - p
