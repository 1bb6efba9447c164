"""Build the Cython kernels in ``kernels/`` into ``pycompute._kernels.<family>``.

* ``-O3`` always.
* OpenMP when the compiler supports it (probed); without it the kernels build
  serial and ``pycompute info`` says so.
* SIMD for the host CPU (``-march=native``) by default; set
  ``PYCOMPUTE_PORTABLE=1`` for a portable build (baseline ISA of the compiler).
* ``PYCOMPUTE_VEC_REPORT=1`` adds GCC's vectorization report
  (``-fopt-info-vec-optimized``) to the build log.
"""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _compiler():
    return os.environ.get("CC") or sysconfig.get_config_var("CC").split()[0] or "cc"


def _try_compile(flags, source="int main(void){return 0;}\n"):
    """Return True if the C compiler accepts ``flags`` for ``source``."""
    cc = _compiler()
    if shutil.which(cc) is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(source)
        cmd = [cc, *flags, src, "-o", os.path.join(tmp, "probe")]
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return False
        return res.returncode == 0


OPENMP_PROBE = """
#include <omp.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+:n)
    n += 1;
    return n > 0 ? 0 : 1;
}
"""


def build_flags():
    compile_args = ["-O3", "-fno-math-errno", "-fno-trapping-math"]
    # integer instantiations of the fused NaN test `x != x` are always false: not a bug
    if _try_compile(["-Wno-tautological-compare"]):
        compile_args.append("-Wno-tautological-compare")
    link_args = []
    portable = os.environ.get("PYCOMPUTE_PORTABLE", "0") not in ("", "0")
    if not portable and _try_compile(["-march=native"]):
        compile_args.append("-march=native")
        # AVX-512 at full width where the CPU has it; GCC otherwise prefers 256-bit.
        if _try_compile(["-march=native", "-mprefer-vector-width=512"]):
            compile_args.append("-mprefer-vector-width=512")
    openmp = os.environ.get("PYCOMPUTE_NO_OPENMP", "0") in ("", "0") and _try_compile(
        ["-fopenmp"], OPENMP_PROBE
    )
    if openmp:
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    else:
        print("pycompute: no OpenMP support found; kernels build single-threaded", file=sys.stderr)
    if os.environ.get("PYCOMPUTE_VEC_REPORT", "0") not in ("", "0"):
        compile_args.append("-fopt-info-vec-optimized")
    return compile_args, link_args, openmp


def extensions():
    compile_args, link_args, openmp = build_flags()
    macros = [
        ("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
        ("PYCOMPUTE_COMPILE_ARGS", '"%s"' % " ".join(compile_args)),
    ]
    exts = []
    for pyx in sorted(glob.glob(os.path.join("kernels", "*.pyx"))):
        family = os.path.splitext(os.path.basename(pyx))[0]
        exts.append(
            Extension(
                f"pycompute._kernels.{family}",
                [pyx],
                include_dirs=[np.get_include(), "kernels"],
                define_macros=macros,
                extra_compile_args=compile_args,
                extra_link_args=link_args,
            )
        )
    return cythonize(
        exts,
        include_path=["kernels"],
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
        },
        compile_time_env={"PYCOMPUTE_OPENMP": openmp},
        nthreads=int(os.environ.get("PYCOMPUTE_BUILD_JOBS", os.cpu_count() or 1)),
    )


setup(ext_modules=extensions())
