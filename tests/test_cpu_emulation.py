"""The Cython kernels on CPUs this machine is not: Haswell (AVX2) and Nehalem (SSE4.2).

``qemu-x86_64 -cpu MODEL`` (Debian/Ubuntu package qemu-user) runs this Python
on an emulated CPU whose CPUID and XCR0 are those of MODEL, and raises SIGILL
for any instruction MODEL lacks (AVX-512 on Haswell, AVX/FMA/BMI on Nehalem).
For each model, ``tests/cpu_check.py`` must find the expected SIMD level, run
every kernel without SIGILL and match the NumPy reference; the same script run
natively with ``PYCOMPUTE_SIMD`` capped to that level must then give bitwise
identical results (except the softened float32 N-body, whose ``vrsqrtps``
estimate is the implementation's: QEMU's differs from this CPU's, so those
agree to 4e-6 of the largest value; ``cpu_check.ESTIMATED``).

The Haswell model drops pcid, x2apic, tsc-deadline and invpcid: QEMU's TCG
does not implement them (they do not matter to user code) and warns about each.

The native run also gets the emulated CPU's *NumPy and libm* code paths: NumPy's
AVX-512 ``np.exp`` and glibc's FMA ``exp`` round differently from the SSE2 ones
(pycompute's Gaussian weights come from ``np.exp``), so it runs with
``NPY_DISABLE_CPU_FEATURES`` (NumPy's dispatch targets the emulated CPU lacks)
and ``GLIBC_TUNABLES=glibc.cpu.hwcaps=-...`` (glibc's ifunc choice). Without
them a float64 Gaussian differs in the last bit from a difference in its weights.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pycompute

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "cpu_check.py"
TIMEOUT = 600
_NO_AVX512 = "-AVX512F,-AVX512BW,-AVX512CD,-AVX512DQ,-AVX512VL"
MODELS = [
    # (qemu -cpu model, level pycompute must pick, /proc/cpuinfo flags the host needs to run
    #  that level natively for the bitwise comparison, glibc hwcaps the model lacks)
    ("Haswell-v2,-pcid,-x2apic,-tsc-deadline,-invpcid", "avx2",
     ("avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm"), _NO_AVX512),
    ("Nehalem", "baseline", ("sse4_2", "popcnt"),
     "-AVX,-AVX2,-FMA,-FMA4,-F16C,-BMI1,-BMI2,-LZCNT,-MOVBE," + _NO_AVX512),
]


def _qemu() -> str:
    if platform.system() != "Linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("CPU emulation with qemu-x86_64 needs an x86-64 Linux host")
    exe = shutil.which("qemu-x86_64")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("qemu-x86_64 is not on PATH although CI=true: .ci/run should have "
                        "installed qemu-user (apt-get install qemu-user) before the tests")
        pytest.skip("qemu-x86_64 not found: install qemu-user (Debian/Ubuntu: "
                    "apt-get install qemu-user) to run the kernels on emulated Haswell "
                    "(AVX2) and Nehalem (SSE4.2) CPUs")
    return exe


def _host_flags() -> set:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _run(cmd, env, what):
    # ulimit -c 0: where core dumps are on, qemu leaves a qemu_*.core in the repo on a SIGILL
    # (a shell rather than preexec_fn, which is unsafe in a process with threads)
    wrapped = ["/bin/sh", "-c", 'ulimit -c 0; exec "$@"', "sh"] + cmd
    try:
        proc = subprocess.run(wrapped, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"{what}: no result within {TIMEOUT} s\n$ {' '.join(cmd)}\n{out or ''}")
    out = proc.stdout
    report = f"{what}: exit status {proc.returncode}\n$ {' '.join(cmd)}\n{out}"
    assert proc.returncode != -4 and "Illegal instruction" not in out, \
        "SIGILL (an instruction this CPU lacks): " + report
    assert proc.returncode == 0, report
    return out


def _numpy_dispatch() -> list:
    """NumPy's runtime-dispatch targets enabled here (as tests/cpu_check.py prints them)."""
    try:
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as mu
    feats = getattr(mu, "__cpu_features__", {})
    return [f for f in getattr(mu, "__cpu_dispatch__", ()) if feats.get(f)]


def _child_env(level=None, emulated_out=None, hwcaps=None):
    """The children's environment: this pycompute; for a native run at ``level``, the
    emulated run's NumPy dispatch targets and glibc hwcaps (see the module docstring)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get(
        "PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("PYCOMPUTE_SIMD", None)
    # a forced OpenBLAS kernel (OPENBLAS_CORETYPE=Haswell is set on some of our
    # machines) runs AVX2 in NumPy's import-time dot check: SIGILL on the emulated
    # Nehalem, before any of our code. Each child detects its own CPU.
    env.pop("OPENBLAS_CORETYPE", None)
    if level is not None:
        env["PYCOMPUTE_SIMD"] = level
    if emulated_out is not None:
        line = next((ln for ln in emulated_out.splitlines() if " dispatch: " in ln), None)
        assert line, "cpu_check.py printed no `numpy ... dispatch:` line:\n" + emulated_out
        there = set(line.split(" dispatch: ", 1)[1].split())
        off = [f for f in _numpy_dispatch() if f not in there]
        off += env.get("NPY_DISABLE_CPU_FEATURES", "").replace(",", " ").split()
        if off:
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(off)
    if hwcaps:
        tun = f"glibc.cpu.hwcaps={hwcaps}"
        env["GLIBC_TUNABLES"] = ":".join(t for t in (env.get("GLIBC_TUNABLES"), tun) if t)
    return env


@pytest.mark.parametrize("model, level, host_needs, hwcaps", MODELS, ids=[m[1] for m in MODELS])
def test_kernels_on_emulated_cpu_match_native_run_at_same_level(model, level, host_needs, hwcaps,
                                                                 tmp_path):
    qemu = _qemu()
    q_npz, n_npz = tmp_path / f"q_{level}.npz", tmp_path / f"n_{level}.npz"
    # sys.executable as it is (a venv's python is a symlink): qemu follows the link and
    # the child still sees argv[0] in the venv, so it uses the venv's site-packages
    py = [sys.executable, "-X", "faulthandler", str(SCRIPT), "--expect-level", level]
    out = _run([qemu, "-cpu", model] + py + ["--out", str(q_npz)], _child_env(),
               f"qemu-x86_64 -cpu {model}")
    assert f"pycompute {pycompute.__version__}: {pycompute.__file__}" in out, \
        "the emulated run imported another pycompute:\n" + out
    assert f"(prefix {sys.prefix})" in out, "the emulated run used another environment:\n" + out

    missing = [f for f in host_needs if f not in _host_flags()]
    if missing:
        pytest.skip(f"the emulated {level} run passed; the native comparison needs "
                    f"{', '.join(missing)}, which this CPU lacks")
    env = _child_env(level, out, hwcaps)
    _run(py + ["--out", str(n_npz)], env, f"native, PYCOMPUTE_SIMD={level} NPY_DISABLE_CPU_"
         f"FEATURES={env.get('NPY_DISABLE_CPU_FEATURES')!r} GLIBC_TUNABLES="
         f"{env.get('GLIBC_TUNABLES')!r}")
    _run([sys.executable, str(SCRIPT), "--compare", str(q_npz), str(n_npz)], _child_env(),
         "emulated vs native results")
