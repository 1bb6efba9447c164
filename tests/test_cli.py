"""The command line: info and compare, as a user runs them."""
import json
import subprocess
import sys

import pycompute as pc


def run(*args):
    return subprocess.run([sys.executable, "-m", "pycompute", *args], capture_output=True,
                          text=True, timeout=300)


def test_info_text_and_json():
    out = run("info")
    assert out.returncode == 0, out.stderr
    for word in ("pycompute " + pc.__version__, "cython", "numba", "SIMD target",
                 "threading layer", "threads"):
        assert word in out.stdout
    j = json.loads(run("info", "--json").stdout)
    assert j["version"] == pc.__version__
    assert j["backends"]["numpy"]["available"] is True
    assert j["threads"]["num_threads"] >= 1
    assert j["build"]["openmp"] in (True, False)


def test_compare_quick_prints_a_table():
    out = run("compare", "--quick", "sum", "--backend", "cython", "--threads", "1",
              "--no-progress")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("machine:") and "GB/s" in lines[0]
    assert any(line.startswith("sum") and "cython" in line for line in lines)
    assert any("Amdahl serial fraction" in line for line in lines)


def test_compare_bad_arguments_exit_cleanly():
    out = run("compare", "nosuchkernel")
    assert out.returncode == 2
    assert "unknown kernel" in out.stderr and "Traceback" not in out.stderr
    out = run("compare", "sum", "--threads", "100000")
    assert out.returncode == 2
    assert "out of range" in out.stderr and "Traceback" not in out.stderr


def test_demo_writes_images_plot_and_table(tmp_path):
    out = run("demo", "--out", str(tmp_path / "demo"))
    assert out.returncode == 0, out.stderr
    assert "Amdahl serial fraction" in out.stdout and "wrote:" in out.stdout
    for name in ("gray_scott.png", "heat.png", "scaling.png"):
        data = (tmp_path / "demo" / name).read_bytes()
        assert data[:4] == b"\x89PNG" and len(data) > 10_000, name
        assert str(tmp_path / "demo" / name) in out.stdout
    assert json.loads((tmp_path / "demo" / "compare.json").read_text())["results"]


def test_demo_unwritable_folder_exits_cleanly():
    out = run("demo", "--out", "/proc/pycompute-demo")
    assert out.returncode == 2 and "Traceback" not in out.stderr
