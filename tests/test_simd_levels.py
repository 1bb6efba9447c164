"""SIMD levels of the compiled kernels (pycompute/_simd.py, setup.py).

* The level choice as a pure function: CPU features x compiled levels x cap.
* ``PYCOMPUTE_SIMD`` in a real import: unknown values refused, caps obeyed.
* A level whose module is corrupt falls back to the next one, and says so.
* Every public kernel gives bitwise-identical results at every level this CPU
  runs (tests/simd_battery.py, one child process per level).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pycompute as pc
from pycompute import _simd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
V2 = set(_simd.NEEDS["baseline"])
V3 = V2 | set(_simd.NEEDS["avx2"])
V4 = V3 | set(_simd.NEEDS["avx512"])
ALL = ("baseline", "avx2", "avx512")


def _child(code, env_extra, pythonpath=None, timeout=300):
    env = dict(os.environ)
    env.pop("PYCOMPUTE_SIMD", None)
    env.update(env_extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, str(ROOT)]))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=pythonpath or ROOT)


# ---------------------------------------------------------------- the decision

@pytest.mark.parametrize("features, best", [(V4, "avx512"), (V3, "avx2"), (V2, "baseline"),
                                            (V4 - {"os_avx512"}, "avx2"),
                                            (V4 - {"os_avx"}, "baseline"),
                                            (V3 - {"fma"}, "baseline")])
def test_best_level_the_cpu_and_os_support(features, best):
    sel = _simd.choose(features, ALL)
    assert sel.level == best
    assert sel.reason.startswith("detected")
    assert not sel.warnings


@pytest.mark.parametrize("cap", ["baseline", "avx2", "avx512", " AVX2 "])
def test_cap_lowers_the_level(cap):
    sel = _simd.choose(V4, ALL, cap)
    assert sel.level == cap.strip().lower()
    assert sel.cap == cap.strip().lower()
    assert "capped" in sel.reason and not sel.warnings


@pytest.mark.parametrize("cap", ["sse", "avx", "native", "AVX-512", "2"])
def test_unknown_cap_is_refused_naming_the_allowed_values(cap):
    with pytest.raises(ValueError, match=r"PYCOMPUTE_SIMD=.* allowed values: baseline, avx2, avx512"):
        _simd.choose(V4, ALL, cap)


def test_cap_above_the_cpu_falls_back_with_a_warning():
    sel = _simd.choose(V3, ALL, "avx512")
    assert sel.level == "avx2"
    assert len(sel.warnings) == 1
    assert "avx512f" in sel.warnings[0] and "using avx2" in sel.warnings[0]


def test_cap_at_a_level_not_compiled_takes_the_next_below():
    sel = _simd.choose(V4, ("baseline", "avx512"), "avx2")
    assert sel.level == "baseline"
    assert "not compiled" in sel.warnings[0]


def test_missing_levels_are_skipped():
    assert _simd.choose(V4, ("baseline", "avx2")).level == "avx2"
    assert _simd.choose(V4, ("baseline",)).level == "baseline"


def test_cpu_below_the_baseline_gets_no_compiled_level_and_the_way_out():
    sel = _simd.choose({"sse2", "sse3", "cx16"}, ALL)
    assert sel.level is None
    for name in ("ssse3", "sse4_1", "sse4_2", "popcnt", "lahf"):
        assert name in sel.reason
    assert "--no-binary" in sel.reason and "PYCOMPUTE_MARCH=native" in sel.reason


def test_native_build_and_other_architectures():
    sel = _simd.choose(set(), ("native",), "avx2")
    assert sel.level == "native" and "ignored" in sel.warnings[0]
    assert _simd.choose(set(), ("baseline",), None, x86=False).level == "baseline"
    assert _simd.choose(V4, ()).level is None


def test_missing_names_every_feature_of_the_levels_below():
    assert _simd.missing("avx512", V2) == list(_simd.NEEDS["avx2"]) + list(_simd.NEEDS["avx512"])
    assert _simd.missing("baseline", V4) == []


# ---------------------------------------------------------------- this process

def test_info_reports_levels_features_and_reason():
    s = pc.info()["simd"]
    assert s["level"] in s["compiled"]
    assert s["level"] in s["supported"]
    assert s["reason"]
    assert s["build"]["level"] == s["level"]
    if _simd.is_x86():
        assert set(_simd.NEEDS["baseline"]) <= set(s["features"])
        assert s["compiled"] == list(ALL)  # the default build carries every level


def test_each_level_module_knows_its_own_name():
    """One cythonize, C copied per level: names must follow the package, with no
    sys.modules entry for another level's name."""
    mod = _simd.kernels("reductions")
    assert mod.__name__ == f"pycompute._kernels.{_simd.package(pc.info()['simd']['level'])}.reductions"
    assert mod.sum_float.__module__ == mod.__name__ if hasattr(mod, "sum_float") else True
    funcs = [getattr(mod, n) for n in dir(mod) if callable(getattr(mod, n)) and not n.startswith("_")]
    assert funcs and all(f.__module__ == mod.__name__ for f in funcs if hasattr(f, "__module__"))
    others = [f"pycompute._kernels.{_simd.package(lv)}.reductions" for lv in ALL]
    loaded = [n for n in others if n in sys.modules]
    assert loaded == [mod.__name__]


def test_cli_info_names_the_level():
    res = subprocess.run([sys.executable, "-m", "pycompute", "info"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert f"level in use  {pc.info()['simd']['level']}" in res.stdout
    assert "CPU features" in res.stdout


# ---------------------------------------------------------------- real imports

def test_unknown_env_value_is_refused_at_import():
    res = _child("import pycompute", {"PYCOMPUTE_SIMD": "avx3"})
    assert res.returncode != 0
    assert "ValueError" in res.stderr
    assert "PYCOMPUTE_SIMD='avx3'" in res.stderr and "baseline, avx2, avx512" in res.stderr


@pytest.mark.parametrize("level", [lv for lv in ALL if lv in pc.info()["simd"]["supported"]])
def test_env_caps_the_level_in_a_real_import(level):
    res = _child("import pycompute as pc, numpy as np; s = pc.info()['simd'];"
                 "print(s['level'], s['build']['level'], s['build']['simd']);"
                 "print(pc.sum(np.arange(10.0), backend='cython'))",
                 {"PYCOMPUTE_SIMD": level})
    assert res.returncode == 0, res.stderr
    lv, built, _ = res.stdout.splitlines()[0].split(" ", 2)
    assert lv == built == level
    assert res.stdout.splitlines()[1] == "45.0"


def test_corrupt_level_falls_back_and_says_so(tmp_path):
    """A copy of the package whose reductions module at the bound level is garbage."""
    best = pc.info()["simd"]["level"]
    pkg = tmp_path / "pycompute"
    shutil.copytree(Path(pc.__file__).parent, pkg,
                    ignore=shutil.ignore_patterns("__pycache__"))
    libs = Path(pc.__file__).parent.parent / "pycompute.libs"  # a repaired wheel's libgomp
    if libs.is_dir():
        shutil.copytree(libs, tmp_path / "pycompute.libs")
    (so,) = (pkg / "_kernels" / _simd.package(best)).glob("reductions*.so")
    so.write_bytes(b"\x7fELF this is not a shared object")
    code = ("import warnings, numpy as np\n"
            "import pycompute as pc\n"
            "assert pc.__file__.startswith(%r), pc.__file__\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    try:\n"
            "        r = pc.sum(np.arange(100.0), backend='cython')\n"
            "    except ImportError as exc:\n"
            "        r = 'ImportError: ' + str(exc)\n"
            "print(r, pc.info()['simd']['family_levels'].get('reductions'))\n"
            "print(any('failed to load' in str(x.message) for x in w))\n"
            "print(sorted(pc.info()['simd']['failed']))\n"
            "print(pc.sum(np.arange(100.0)))\n" % str(pkg))
    res = _child(code, {}, pythonpath=str(tmp_path))
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    if best == "baseline":  # nothing below: the backend refuses, auto still answers
        assert out[0].startswith("ImportError: no compiled level of pycompute's reductions")
    else:
        assert out[0] == f"4950.0 {ALL[ALL.index(best) - 1]}"
    assert out[1] == "True"
    assert out[2] == str([f"{best}.reductions"])
    assert out[3] == "4950.0"


# ---------------------------------------------------------------- same answers

def test_every_level_gives_bitwise_identical_results(tmp_path):
    levels = [lv for lv in ALL if lv in pc.info()["simd"]["supported"]]
    assert levels, "no compiled level runs on this CPU"
    files = {}
    for lv in levels:
        path = tmp_path / f"{lv}.npz"
        env = dict(os.environ, PYCOMPUTE_SIMD=lv, PYTHONPATH=str(ROOT))
        res = subprocess.run([sys.executable, str(HERE / "simd_battery.py"), str(path)],
                             env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
        assert res.returncode == 0, res.stderr
        files[lv] = np.load(path)
        assert str(files[lv]["__level__"]) == lv
    ref = files[levels[0]]
    keys = [k for k in ref.files if not k.startswith("__")]
    assert len(keys) > 500
    # The one documented exception: N-body accelerations with softening take the CPU's
    # reciprocal square root estimate (float32: vrsqrt14ps at avx512, vrsqrtps at
    # avx2; float64: vrsqrt14pd at avx512; none at baseline), so levels with different
    # estimates agree to the stated accuracy, not in every bit (kernels/simulation.pyx,
    # "The fast float32 path" and the float64 one).
    fast = {}
    for dn, sfx in (("float32", "f32"), ("float64", "f64")):
        est = {lv: str(files[lv][f"__nbody_estimate_{dn}__"]) for lv in levels}
        keys_dt = [k for k in keys if k.startswith((f"nbody_acc.{sfx}.", f"nbody_step.{sfx}."))]
        assert len(keys_dt) == 12
        fast[dn] = (est, keys_dt)
    for lv in levels[1:]:
        assert sorted(files[lv].files) == sorted(ref.files)
        loose = [k for est, ks in fast.values() if est[lv] != est[levels[0]] for k in ks]
        exact = [k for k in keys if k not in loose]
        differ = [k for k in exact
                  if files[lv][k].dtype != ref[k].dtype or files[lv][k].shape != ref[k].shape
                  or files[lv][k].tobytes() != ref[k].tobytes()]
        assert not differ, f"{lv} differs from {levels[0]} in {differ}"
        for k in loose:  # accelerations to 2e-6 (float32) / 1e-13 of the largest; 3 steps
            got, want = files[lv][k], ref[k]
            assert got.dtype == want.dtype and got.shape == want.shape
            tol = 2e-6 if got.dtype == np.float32 else 1e-13
            np.testing.assert_allclose(got, want, rtol=0, atol=tol * np.abs(want).max(),
                                       err_msg=f"{k} at {lv}")


# ---------------------------------------------------------------- the float32 fma

# Triples for fma_lanes (kernels/convolution.pyx): random floats over a wide exponent
# range with specials, and a family built to make p + c land, in double, exactly on a
# float32 rounding midpoint it was not on (where rounding twice errs: the baseline's
# emulated fma must round those to odd first), normal and subnormal. Run in each
# level's own process.
_FMA_TRIPLES = r'''
import numpy as np
def triples():
    rng = np.random.default_rng(20261130)
    n = 200_000
    def rand(k):
        m = rng.uniform(-2, 2, k) * 2.0 ** rng.integers(-60, 60, k)
        return m.astype(np.float32)
    a, b, c = rand(n), rand(n), rand(n)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.2e-38,
                        3.4028235e38, -3.4028235e38, 1.0, -1.0], np.float32)
    for v in (a, b, c):
        idx = rng.integers(0, n, n // 50)
        v[idx] = special[rng.integers(0, special.size, idx.size)]
    # midpoints: c = +-2^e * (1 + odd/even fraction), p = +-ulp(c)/2 * (1 - 2^-46)
    k = 20_000
    e = rng.integers(-100, 100, k)
    frac = rng.integers(0, 1 << 23, k)
    cm = (np.ldexp(1.0 + frac / 2.0 ** 23, e)).astype(np.float32)
    half = np.ldexp(1.0, e - 24)  # ulp(c) / 2
    am = np.where(rng.random(k) < 0.5, 1, -1) * np.float32(1 + 2.0 ** -23)
    bm = (half * (1 - 2.0 ** -23)).astype(np.float32)
    cs = np.where(rng.random(k) < 0.5, 1, -1).astype(np.float32)
    # and subnormal results: c = j * 2^-149, p = 2^-150 * (1 - 2^-46)
    j = 5_000
    cj = (rng.integers(1, 1 << 23, j) * 2.0 ** -149).astype(np.float32)
    aj = np.where(rng.random(j) < 0.5, 1, -1) * np.float32(2.0 ** -75 * (1 + 2.0 ** -23))
    bj = np.full(j, 2.0 ** -75 * (1 - 2.0 ** -23), np.float32)
    # NaN results: the instruction returns a's NaN, else b's, else c's, and c's for an
    # invalid product (inf * 0) with a NaN c; NaNs of both signs and two payloads
    u = lambda v: np.array([v], np.uint32).view(np.float32)[0]
    P, N, P2, inf = u(0x7FC00000), u(0xFFC00000), u(0x7FC00001), np.float32(np.inf)
    rows = np.array([(inf, 0, P), (0, -inf, P2), (-inf, 0, N), (N, 2, P), (P2, 2, N),
                     (2, N, P), (inf, 0, 1), (1, P2, 3)] * 4, np.float32).T
    return (np.concatenate([rows[0], a, am.astype(np.float32), aj.astype(np.float32)]),
            np.concatenate([rows[1], b, bm, bj]), np.concatenate([rows[2], c, cs * cm, cj]))
'''


def _fma_at(level):
    code = _FMA_TRIPLES + (
        "import sys, pycompute as pc\n"
        "from pycompute import _simd\n"
        "a, b, c = triples()\n"
        "out = np.empty((2, a.size), np.float32)\n"
        "for scalar in (0, 1):\n"
        "    _simd.kernels('convolution').fma_lanes(a, b, c, out[scalar], scalar)\n"
        "assert pc.info()['simd']['level'] == sys.argv[1]\n"
        "sys.stdout.write(out.view(np.uint32).tobytes().hex())\n")
    env = dict(os.environ, PYCOMPUTE_SIMD=level, PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-c", code, level], env=env, capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return np.frombuffer(bytes.fromhex(res.stdout), np.uint32).reshape(2, -1)


def _round_f32(fr):
    """The float32 nearest the Fraction ``fr`` (ties to even)."""
    from fractions import Fraction
    x = np.float32(float(fr))
    cands = [np.nextafter(x, np.float32(-np.inf)), x, np.nextafter(x, np.float32(np.inf))]
    best = min(cands, key=lambda y: (abs(Fraction(float(y)) - fr),
                                     int(np.array(y).view(np.uint32)) & 1))
    return best


def test_baseline_fma_is_exactly_rounded():
    """The float32 filters' fused multiply-add at every level this CPU runs, in the
    vector loops and in the scalar form of their edges and generic kernels: the AVX
    levels' hardware FMA, the baseline's SSE emulation (double product, the sum
    rounded to odd where rounding twice could err) and the same bits everywhere;
    the midpoint families against exact rational arithmetic, whatever the CPU."""
    from fractions import Fraction
    levels = [lv for lv in ALL if lv in pc.info()["simd"]["supported"]]
    assert "baseline" in levels
    got = {lv: _fma_at(lv) for lv in levels}  # [vector loop, scalar] each
    ref = got["baseline"][0]
    for lv in levels:
        for form in (0, 1):
            bad = np.flatnonzero(got[lv][form] != ref)
            assert bad.size == 0, f"{lv} ({'scalar' if form else 'vector'}) differs at {bad[:10]}"
    ns = {}
    exec(_FMA_TRIPLES, ns)
    a, b, c = ns["triples"]()
    base = ref.view(np.float32)
    for i in range(a.size - 25_000, a.size, 7):  # the midpoint families
        exact = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
        want = _round_f32(exact)
        assert base[i] == want, (i, a[i], b[i], c[i], base[i], want)
    # rounding p + c once in double, then to float32, is wrong on this family
    naive = ((a[-25_000:].astype(np.float64) * b[-25_000:]) + c[-25_000:]).astype(np.float32)
    assert (naive[:20_000] != base[-25_000:-5_000]).sum() > 1000
    assert (naive[20_000:] != base[-5_000:]).sum() > 200
