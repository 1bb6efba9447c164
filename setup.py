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
* ``PYCOMPUTE_FAMILIES=reductions,simulation``: build only these kernel families
  (development: rebuild one family while another's source is being edited; the
  others keep the modules already built in place).
* ``PYCOMPUTE_NO_OPENMP=1``: serial build.
* ``PYCOMPUTE_VEC_REPORT=1``: GCC's vectorization report in the build log.
* ``PYCOMPUTE_BUILD_JOBS=n``: parallel compile jobs (default: CPU count).
* ``PYCOMPUTE_NO_BUILD_CACHE=1``: cythonize and compile everything (build cache below).

Build cache, so that a second ``pip install -e .`` (or ``pip wheel .``) of
unchanged sources takes seconds, not minutes. pip builds in an isolated
environment with Cython installed afresh and in fresh temporary build
directories, so neither cythonize's timestamp check (Cython's own libc/*.pxd
are always newer than our C) nor setuptools' (the previous objects are gone)
ever skips anything. Both steps are therefore keyed by content instead:

* cythonize runs for a family only when the SHA-256 of its inputs (the .pyx,
  the project's .pxd/.pxi, Cython's version, directives, compile-time
  environment, module name and flags) differs from the one recorded in
  ``build/cython-keys/<family>.key`` when its C was generated (or the C is gone);
* each compiled module is kept in ``build/ext-cache/<module>/<key>.so``, the key
  a SHA-256 of everything that goes into it: the C source, the headers of every
  include directory (the project's, NumPy's, Python's), macros, compile and link
  flags, the compiler's command line and ``--version``, and the extension
  suffix. A build whose key is there copies that file instead of compiling. The
  newest ``CACHE_KEEP`` entries per module are kept.

Any change to an input gives a new key and a real build; ``build_ext --force``
or ``PYCOMPUTE_NO_BUILD_CACHE=1`` compiles everything regardless. Deleting
``build/`` empties both caches.
"""
import glob
import hashlib
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
CACHE_DIR = os.path.join(HERE, "build", "ext-cache")
CACHE_KEEP = 3  # cached builds kept per module (e.g. two branches and a level subset)
CACHE_FORMAT = "1"  # bump to orphan every cached module
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


CYTHON_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
    "nonecheck": False,
}
CYTHON_KEYS = os.path.join("build", "cython-keys")
GENERATED_HEADERS = {"pycompute_runtime": [os.path.join("kernels", "pycompute_runtime.h")]}


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _cython_key(ext, openmp):
    """SHA-256 of what Cython's output for ``ext`` depends on: the .pyx, the project's
    .pxd/.pxi files, Cython's version (its own .pxd files come with it), the directives,
    the compile-time environment and the extension's name and flags (written into the C).

    cythonize itself decides by timestamps, and in pip's isolated build Cython is
    installed afresh each time: its libc/*.pxd are always newer than our C, so every
    build would generate (and compile) everything again."""
    import Cython

    h = hashlib.sha256(repr([CACHE_FORMAT, Cython.__version__, ext.name, ext.define_macros,
                             ext.extra_compile_args, sorted(CYTHON_DIRECTIVES.items()),
                             openmp]).encode())
    kernels = os.path.dirname(ext.sources[0])
    for path in [ext.sources[0]] + sorted(glob.glob(os.path.join(kernels, "*.pxd"))
                                          + glob.glob(os.path.join(kernels, "*.pxi"))):
        h.update(path.encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


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
    only = {f for f in os.environ.get("PYCOMPUTE_FAMILIES", "").replace(" ", "").split(",") if f}
    for pyx in sorted(glob.glob(os.path.join("kernels", "*.pyx"))):
        family = os.path.splitext(os.path.basename(pyx))[0]
        if only and family not in only:
            continue
        if family in FAMILIES_NOT_LEVELLED:
            name, flags, level = f"pycompute._kernels.{family}", [], "default"
        else:
            name, flags, level = f"pycompute._kernels.{first_pkg}.{family}", lv[first][1], first
        primary.append(Extension(name, [pyx], include_dirs=inc, depends=deps,
                                 define_macros=macros(level, flags),
                                 extra_compile_args=compile_args + flags,
                                 extra_link_args=link_args))
    todo, exts = [], []
    for ext in primary:
        pyx = ext.sources[0]
        family = os.path.splitext(os.path.basename(pyx))[0]
        c_file = os.path.splitext(pyx)[0] + ".c"
        # a C file generated under another module name is stale
        if os.path.exists(c_file) and f'"{ext.name}"' not in open(c_file, encoding="utf-8").read():
            os.remove(c_file)
        key = _cython_key(ext, openmp)
        key_file = os.path.join(CYTHON_KEYS, family + ".key")
        outputs = [c_file] + GENERATED_HEADERS.get(family, [])
        if (all(os.path.exists(f) for f in outputs) and _read(key_file) == key
                and not _env_on("PYCOMPUTE_NO_BUILD_CACHE")):
            ext.sources = [c_file]  # the C is what these inputs generate: no cythonize
            exts.append(ext)
        else:
            todo.append((ext, key_file, key))
    if todo:
        exts += cythonize(
            [ext for ext, _, _ in todo],
            include_path=["kernels"],
            compiler_directives=CYTHON_DIRECTIVES,
            compile_time_env={"PYCOMPUTE_OPENMP": openmp},
            nthreads=int(os.environ.get("PYCOMPUTE_BUILD_JOBS", os.cpu_count() or 1)),
            force=True,  # the inputs changed (by content): timestamps are not asked
        )
        os.makedirs(CYTHON_KEYS, exist_ok=True)
        for _, key_file, key in todo:
            with open(key_file, "w", encoding="utf-8") as f:
                f.write(key)
    exts.sort(key=lambda e: e.name)
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


def _hash_tree(h, root, pattern):
    """Feed every file under ``root`` matching ``pattern`` (relative name and bytes) to ``h``."""
    for path in sorted(glob.glob(os.path.join(root, "**", pattern), recursive=True)):
        if os.path.isfile(path):
            h.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
            h.update(b"\0")


_compiler_versions = {}


def _compiler_version(exe):
    if exe not in _compiler_versions:
        try:
            res = subprocess.run([exe, "--version"], capture_output=True, timeout=60)
            _compiler_versions[exe] = res.stdout + res.stderr
        except (OSError, subprocess.SubprocessError) as exc:
            _compiler_versions[exe] = repr(exc).encode()
    return _compiler_versions[exe]


class ParallelBuildExt(build_ext):
    """build_ext with parallel jobs by default (a level x family compile is 12 jobs) and a
    build cache keyed by every input of a compiled module (module docstring)."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:
            self.parallel = int(os.environ.get("PYCOMPUTE_BUILD_JOBS", os.cpu_count() or 1))

    def _cache_key(self, ext):
        h = hashlib.sha256()
        cc = self.compiler
        facts = [CACHE_FORMAT, ext.name, self.get_ext_filename(ext.name), sys.version,
                 sysconfig.get_config_var("EXT_SUFFIX"), platform.machine(),
                 getattr(cc, "compiler_so", None), getattr(cc, "linker_so", None),
                 ext.define_macros, ext.undef_macros, ext.extra_compile_args,
                 ext.extra_link_args, ext.libraries, ext.library_dirs, ext.runtime_library_dirs,
                 ext.extra_objects]
        h.update(repr(facts).encode())
        exe = (getattr(cc, "compiler_so", None) or [_compiler()])[0]
        h.update(_compiler_version(shutil.which(exe) or exe))
        for src in ext.sources:
            with open(src, "rb") as f:
                text = f.read()
            # Cython's metadata comment names the include directories, NumPy's in pip's
            # temporary build environment among them: a comment, not code
            start, end = text.find(b"/* BEGIN: Cython Metadata"), text.find(b"END: Cython Metadata */")
            if 0 <= start < end:
                text = text[:start] + text[end:]
            h.update(text)
        # the headers any source may include: the project's, NumPy's, Python's
        incs = list(ext.include_dirs) + list(self.include_dirs or [])
        incs += [sysconfig.get_path("include"), sysconfig.get_path("platinclude")]
        for inc in dict.fromkeys(os.path.abspath(i) for i in incs if i and os.path.isdir(i)):
            if inc not in ("/usr/include", "/usr/local/include"):  # system: compiler's version
                _hash_tree(h, inc, "*.h")
        for dep in ext.depends:
            if os.path.isfile(dep):
                with open(dep, "rb") as f:
                    h.update(f.read())
        return h.hexdigest()[:32]

    def build_extension(self, ext):
        if self.force or _env_on("PYCOMPUTE_NO_BUILD_CACHE"):
            return super().build_extension(ext)
        target = self.get_ext_fullpath(ext.name)
        folder = os.path.join(CACHE_DIR, ext.name)
        cached = os.path.join(folder, self._cache_key(ext) + os.path.splitext(target)[1])
        if os.path.isfile(cached):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(cached, target)
            os.utime(cached)  # newest use: kept by the pruning below
            print(f"pycompute: {ext.name}: inputs unchanged, reusing {os.path.relpath(cached, HERE)}",
                  file=sys.stderr)
            return None
        super().build_extension(ext)
        try:  # a failed cache write must not fail the build
            os.makedirs(folder, exist_ok=True)
            tmp = f"{cached}.tmp{os.getpid()}.{id(ext)}"
            shutil.copyfile(target, tmp)
            os.replace(tmp, cached)
            entries = sorted(glob.glob(os.path.join(folder, "*" + os.path.splitext(target)[1])),
                             key=os.path.getmtime, reverse=True)
            for old in entries[CACHE_KEEP:]:
                os.remove(old)
        except OSError as exc:
            print(f"pycompute: build cache not written ({exc})", file=sys.stderr)
        return None


setup(ext_modules=extensions(), cmdclass={"build_ext": ParallelBuildExt})
