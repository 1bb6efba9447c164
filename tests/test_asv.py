"""The asv suite (benchmarks/) runs: a broken benchmark fails here, not at publishing time.

* ``asv check`` imports every benchmark module and checks every benchmark's
  signature against its parameters.
* ``asv run --quick`` of a few combinations covering each family and each
  benchmark shape: ``time_*`` and ``peakmem_*`` (one process per combination),
  and a ``*Scaling`` class (``setup_cache`` measuring its whole grid, then the
  ``track_*`` functions reading it).

asv runs in this Python (``--python=same``) with the repository's asv.conf.json,
its paths moved to a temporary folder, against a throwaway git repository with
a ``main`` branch (asv resolves the configured branch even when it builds
nothing), with ``HOME`` there too (asv writes its machine file to
``~/.asv-machine.json``). Both the exit status and the output are checked: asv
prints ``failed`` for a benchmark that raised.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"

# one combination per family and benchmark shape (asv matches `name(param, ...)`)
QUICK = [
    r"^bench_reductions\.Reductions\.time_reduction\('sum', 'float32', \d+, 'cython', 1\)$",
    r"^bench_reductions\.HistogramScaling\.track_\w+\(\d+, 'cython', 1\)$",
    r"^bench_convolution\.Gaussian\.time_gaussian\(2\.0, \d+, 'numba', 1\)$",
    r"^bench_convolution\.FilterMemory\.peakmem_gaussian_filter$",
    r"^bench_simulation\.Heat\.(time|peakmem)_heat\(\d+, 'cython', 1\)$",
]


def _asv(args, env, cwd, timeout=600):
    res = subprocess.run([sys.executable, "-m", "asv", *args], env=env, cwd=cwd,
                         capture_output=True, text=True, timeout=timeout)
    return res.returncode, res.stdout + res.stderr


@pytest.fixture(scope="module")
def asv_setup(tmp_path_factory):
    import asv  # noqa: F401  (the [test] extra installs it; a missing asv is a failure)

    tmp = tmp_path_factory.mktemp("asv")
    repo = tmp / "repo"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    for cmd in (["init", "-q", str(repo)],
                ["-C", str(repo), "commit", "-q", "--allow-empty", "-m", "asv needs a commit"]):
        subprocess.run(git + cmd, check=True, capture_output=True)
    conf = json.loads((BENCH / "asv.conf.json").read_text())
    conf.update(repo=str(repo), benchmark_dir=str(BENCH / "benchmarks"), env_dir=str(tmp / "env"),
                results_dir=str(tmp / "results"), html_dir=str(tmp / "html"))
    path = tmp / "asv.conf.json"
    path.write_text(json.dumps(conf, indent=1))
    env = dict(os.environ, HOME=str(tmp))
    env.pop("PYCOMPUTE_ASV_FULL", None)  # the default grid, whatever the caller's shell says
    rc, out = _asv(["machine", "--yes", "--config", str(path)], env, tmp)
    assert rc == 0, out
    return path, env, tmp


def test_asv_check_finds_no_problems(asv_setup):
    path, env, tmp = asv_setup
    rc, out = _asv(["check", "--python=same", "--config", str(path)], env, tmp)
    assert rc == 0, out
    assert "No problems found" in out, out


def test_one_quick_benchmark_per_family_runs(asv_setup):
    path, env, tmp = asv_setup
    args = ["run", "--python=same", "--quick", "--show-stderr", "--config", str(path)]
    for regex in QUICK:
        args += ["--bench", regex]
    rc, out = _asv(args, env, tmp)
    assert rc == 0, out
    assert not re.search(r"\bfailed\b|Traceback", out), out
    # every family, both shapes and the setup_cache ran: "ok" (a table follows), or the
    # value of an unparametrized benchmark
    for name in ("Reductions.time_reduction", "HistogramScaling.track_speedup_vs_1thread",
                 "HistogramScaling.track_speedup_vs_reference", "Gaussian.time_gaussian",
                 "FilterMemory.peakmem_gaussian_filter", "Heat.time_heat", "Heat.peakmem_heat"):
        assert re.search(re.escape(name) + r"\s+(ok|[\d.]+[kMG]?)$", out, re.M), \
            f"{name} did not run:\n{out}"
    assert re.search(r"Setting up bench_reductions:\d+\s+ok$", out, re.M), out
