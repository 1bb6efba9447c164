"""Build the Cython kernels in ``kernels/`` once per SIMD level.

Every kernel family (``kernels/<family>.pyx``) is cythonized once; its C is
compiled once per instruction-set level into ``pycompute._kernels.<package>.<family>``:

* ``baseline`` (package ``x86_64_v2``): x86-64-v2 (SSE4.2, POPCNT); on other
  architectures the compiler's default target (package ``generic``).
* ``avx2``     (package ``x86_64_v3``): x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE).
* ``avx512``   (package ``x86_64_v4``): x86-64-v4 (AVX-512 F/BW/CD/DQ/VL), 512-bit
  vectors preferred.

At import, ``pycompute/_simd.py`` reads the CPU's features and binds the best
level the CPU (and the OS's register saving) supports, so one wheel runs on any
x86-64 CPU from 2009 on and uses AVX-512 where it exists. The sources choose
their vector paths with ``#if defined(__AVX512F__)`` etc.; that is safe because
each compiled copy is only loaded on a CPU that has its level.
``pycompute._kernels.pycompute_runtime`` (CPUID, build facts) is compiled for
the compiler's default target so that it loads everywhere.

One cythonize per family (it takes longer than a compile): the generated C of
the first level is copied for the others with its module path replaced. The
package names have the same length (x86_64_v2/3/4), so the replacement leaves
every string length Cython recorded intact; string compression is off
(``CYTHON_COMPRESS_STRINGS=0``) so that every such string is plain text. Each
copy therefore knows its own module name (``__name__``, ``__module__``, and
the ``sys.modules`` entry Cython makes at import).

All levels compile with ``-ffp-contract=off``: an FMA happens only where the
source asks for one (``fmaf``, intrinsics), so every level computes the same
operations and returns bitwise-identical results.

Build switches (environment variables):

* ``PYCOMPUTE_MARCH=native`` (or any ``-march`` value): one level, named
  ``native``, compiled for that CPU only: for people compiling on and for
  their own machine. Such a build may not run on another CPU.
* ``PYCOMPUTE_SIMD_LEVELS=baseline,avx2``: compile only these levels (faster
  development builds; ``baseline`` is always included).
* ``PYCOMPUTE_NO_OPENMP=1``: serial build.
* ``PYCOMPUTE_VEC_REPORT=1``: GCC's vectorization report in the build log.
* ``PYCOMPUTE_BUILD_JOBS=n``: parallel compile jobs (default: CPU count).
"""
import glob
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILIES_NOT_LEVELLED = ("pycompute_runtime",)  # compiled once, default target

# Each level's flags: the -march name when the compiler knows it, else the features
# it adds to the level below (levels are cumulative, see levels()).
# level -> (package under pycompute._kernels, -march flags, features added)
X86_LEVELS = {
    "baseline": ("x86_64_v2", ["-march=x86-64-v2"],
                 ["-msse4.2", "-mssse3", "-mpopcnt", "-mcx16", "-msahf"]),
    "avx2": ("x86_64_v3", ["-march=x86-64-v3"],
             ["-mavx2", "-mfma", "-mbmi", "-mbmi2", "-mf16c", "-mlzcnt", "-mmovbe"]),
    "avx512": ("x86_64_v4", ["-march=x86-64-v4"],
               ["-mavx512f", "-mavx512bw", "-mavx512cd", "-mavx512dq", "-mavx512vl"]),
}
# AVX-512 at full width: GCC's generic tuning otherwise prefers 256-bit vectors
WIDE = {"avx512": ["-mprefer-vector-width=512"]}
LEVEL_ORDER = ("baseline", "avx2", "avx512")


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


def _env_on(name):
    return os.environ.get(name, "0") not in ("", "0")


def common_flags():
    # -g0: Python's own CFLAGS carry -g, which tripled the wheel (58 MB installed)
    compile_args = ["-O3", "-g0", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
    # 64-byte vector-extension types in _simd.h below AVX-512: static inline, no ABI crossing
    if _try_compile(["-Wno-psabi"]):
        compile_args.append("-Wno-psabi")
    # integer instantiations of the fused NaN test `x != x` are always false: not a bug
    if _try_compile(["-Wno-tautological-compare"]):
        compile_args.append("-Wno-tautological-compare")
    link_args = []
    openmp = not _env_on("PYCOMPUTE_NO_OPENMP") and _try_compile(["-fopenmp"], OPENMP_PROBE)
    if openmp:
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    else:
        print("pycompute: no OpenMP support found; kernels build single-threaded", file=sys.stderr)
    if _env_on("PYCOMPUTE_VEC_REPORT"):
        compile_args.append("-fopt-info-vec-optimized")
    return compile_args, link_args, openmp


def levels():
    """{level name: (package, extra compile flags)}, lowest level first."""
    march = os.environ.get("PYCOMPUTE_MARCH", "").strip()
    if march:
        flags = [f"-march={march}"]
        if not _try_compile(flags):
            sys.exit(f"pycompute: the compiler does not accept -march={march} (PYCOMPUTE_MARCH)")
        if _try_compile(flags + ["-mprefer-vector-width=512"]):
            flags.append("-mprefer-vector-width=512")
        return {"native": ("native", flags)}
    if platform.machine().lower() not in ("x86_64", "amd64", "x86-64"):
        return {"baseline": ("generic", [])}  # other architectures: the default target only
    wanted = os.environ.get("PYCOMPUTE_SIMD_LEVELS", "").replace(" ", "")
    names = [n for n in wanted.split(",") if n] if wanted else list(LEVEL_ORDER)
    unknown = sorted(set(names) - set(LEVEL_ORDER))
    if unknown:
        sys.exit(f"pycompute: PYCOMPUTE_SIMD_LEVELS names unknown levels {unknown}; "
                 f"allowed: {', '.join(LEVEL_ORDER)}")
    out = {}
    by_features = []
    for name in LEVEL_ORDER:
        package, by_arch, added = X86_LEVELS[name]
        by_features = added + by_features
        if name != "baseline" and name not in names:
            continue
        by_arch, by_features_here = by_arch + WIDE.get(name, []), by_features + WIDE.get(name, [])
        flags = by_arch if _try_compile(by_arch) else by_features_here
        if not _try_compile(flags):
            if name == "baseline":
                sys.exit(f"pycompute: the compiler accepts neither {by_arch} nor {by_features_here}")
            print(f"pycompute: the compiler cannot target {name}; that level is not built",
                  file=sys.stderr)
            continue
        out[name] = (package, flags)
    return out


def _level_copy(c_file, family, first_pkg, package):
    """The generated C of ``family`` with its module path moved to ``package``.

    Written only when it changes, so an unchanged family is not recompiled."""
    text = open(c_file, encoding="utf-8").read()
    old, new = f"_kernels.{first_pkg}.", f"_kernels.{package}."
    assert len(old) == len(new), (old, new)
    if old not in text:
        sys.exit(f"pycompute: {c_file} does not name its module as expected ({old})")
    text = text.replace(old, new)
    path = os.path.join("build", "levels", package, f"{family}.c")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return path


def extensions():
    compile_args, link_args, openmp = common_flags()
    lv = levels()
    first = next(iter(lv))
    first_pkg = lv[first][0]
    base_macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
                   ("CYTHON_COMPRESS_STRINGS", "0")]

    def macros(level, flags):
        return base_macros + [
            ("PYCOMPUTE_COMPILE_ARGS", '"%s"' % " ".join(compile_args + flags)),
            ("PYCOMPUTE_LEVEL", '"%s"' % level),
        ]

    inc = [np.get_include(), "kernels"]
    # headers and .pxd files: an edit to one rebuilds every family (setuptools tracks no includes)
    deps = sorted(glob.glob(os.path.join("kernels", "*.h")) + glob.glob(os.path.join("kernels", "*.pxd")))
    primary = []
    for pyx in sorted(glob.glob(os.path.join("kernels", "*.pyx"))):
        family = os.path.splitext(os.path.basename(pyx))[0]
        if family in FAMILIES_NOT_LEVELLED:
            name, flags, level = f"pycompute._kernels.{family}", [], "default"
        else:
            name, flags, level = f"pycompute._kernels.{first_pkg}.{family}", lv[first][1], first
        primary.append(Extension(name, [pyx], include_dirs=inc, depends=deps,
                                 define_macros=macros(level, flags),
                                 extra_compile_args=compile_args + flags,
                                 extra_link_args=link_args))
    for ext in primary:  # a C file generated under another module name is stale
        c_file = os.path.splitext(ext.sources[0])[0] + ".c"
        if os.path.exists(c_file) and f'"{ext.name}"' not in open(c_file, encoding="utf-8").read():
            os.remove(c_file)
    exts = cythonize(
        primary,
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
    # The other levels compile a copy of the same generated C (see the module docstring).
    for ext in list(exts):
        family = ext.name.rsplit(".", 1)[1]
        if family in FAMILIES_NOT_LEVELLED:
            continue
        c_file = ext.sources[0]
        for level, (package, flags) in list(lv.items())[1:]:
            exts.append(Extension(f"pycompute._kernels.{package}.{family}",
                                  [_level_copy(c_file, family, first_pkg, package)],
                                  include_dirs=inc, depends=deps,
                                  define_macros=macros(level, flags),
                                  extra_compile_args=compile_args + flags,
                                  extra_link_args=link_args))
    return exts


class ParallelBuildExt(build_ext):
    """build_ext with parallel jobs by default (a level x family compile is 12 jobs)."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = int(os.environ.get("PYCOMPUTE_BUILD_JOBS", os.cpu_count() or 1))


setup(ext_modules=extensions(), cmdclass={"build_ext": ParallelBuildExt})
