/* The cost of one float32 fused multiply-add where the CPU has no FMA unit (the
 * baseline level, x86-64-v2), three ways, in a dependent chain (an output's taps,
 * as the generic float32 kernels run them):
 *   - glibc's software fmaf (sysdeps/ieee754/dbl-64/s_fmaf.c: the sum in double,
 *     rounded toward zero with the inexact flag read back, i.e. to odd; its
 *     internal SSE rounding-mode switches written out here with _mm_getcsr /
 *     _mm_setcsr), which is what libm's fmaf runs on such a CPU;
 *   - pycompute's emulation (kernels/_fastconv.h pyc_fmaf1: the sum in double,
 *     rounded to odd only where it landed on a float32 midpoint or is subnormal);
 *   - libm's fmaf on the machine running this (the FMA instruction where it has one).
 *
 *     gcc -O2 -march=x86-64-v2 -fno-math-errno -o /tmp/fma_emulation \
 *         benchmarks/fma_emulation.c -lm && /tmp/fma_emulation
 *
 * Output on the Zen 5 VM (2026-11-30): benchmarks/results/fma_emulation.txt.
 */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <math.h>
#include <fenv.h>
#include <time.h>
#include <xmmintrin.h>
#include "../kernels/_fastconv.h"  /* pyc_fmaf1 (its PV_W == 4 form at x86-64-v2) */
/* glibc sysdeps/ieee754/dbl-64/s_fmaf.c, the software fmaf of a CPU without FMA */
__attribute__((noinline)) static float glibc_fmaf(float x, float y, float z) {
    /* glibc's internal SSE versions: libc_feholdexcept_setround_sse (stmxcsr,
       ldmxcsr), libc_fetestexcept, libc_feupdateenv_test_sse */
    double temp = (double)x * (double)y;
    if (temp == -z) return (float)temp + z;
    unsigned old = _mm_getcsr();
    _mm_setcsr((old | 0x1f80 | 0x6000) & ~0x3f);  /* mask, round toward zero, clear flags */
    union { double d; uint64_t u; } u;
    volatile double vt = temp, vz = z;
    u.d = vt + vz;
    unsigned st = _mm_getcsr();
    if ((u.u & 1) == 0 && ((u.u >> 52) & 0x7ff) != 0x7ff)
        u.u |= (st & 0x20) != 0;  /* inexact */
    _mm_setcsr(old | (st & 0x3f));
    return (float)u.d;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(void) {
    enum { N = 1 << 12, R = 4000 };
    static float x[N], w[37];
    for (int i = 0; i < N; i++) x[i] = (float)((i * 2654435761u) % 1000) / 997.0f;
    for (int k = 0; k < 37; k++) w[k] = 0.01f * (k + 1);
    volatile float sink = 0;
    double t0 = now();
    for (int r = 0; r < R; r++) for (int i = 0; i + 37 <= N; i += 37) { float a = 0; for (int k = 0; k < 37; k++) a = glibc_fmaf(x[i + k], w[k], a); sink += a; }
    double t1 = now();
    for (int r = 0; r < R; r++) for (int i = 0; i + 37 <= N; i += 37) { float a = 0; for (int k = 0; k < 37; k++) a = pyc_fmaf1(x[i + k], w[k], a); sink += a; }
    double t2 = now();
    for (int r = 0; r < R; r++) for (int i = 0; i + 37 <= N; i += 37) { float a = 0; for (int k = 0; k < 37; k++) a = fmaf(x[i + k], w[k], a); sink += a; }
    double t3 = now();
    double n = (double)R * (N / 37) * 37;
    printf("ns per chained fma: glibc software %.2f, emulation %.2f, libm fmaf (this CPU: %s) %.2f\n", (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9, "FMA3 ifunc", (t3 - t2) / n * 1e9);
    return 0;
}
