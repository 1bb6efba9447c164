"""Scaling analysis: Amdahl fit, Karp-Flatt, measure(), plots, compare JSON and the asv suite."""
import importlib
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import pycompute as pc
from pycompute import compare, scaling

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("f", [0.0, 0.05, 0.3, 0.9])
def test_amdahl_fit_recovers_serial_fraction(f):
    p = np.array([1, 2, 4, 8, 16, 32])
    t1 = 2.5
    times = t1 * (f + (1 - f) / p)
    got_f, got_t1 = scaling.amdahl_fit(list(p), list(times))
    assert got_f == pytest.approx(f, abs=1e-9)
    assert got_t1 == pytest.approx(t1, rel=1e-9)


def test_amdahl_fit_with_noise():
    rng = np.random.default_rng(0)
    p = np.array([1, 2, 4, 8, 16])
    times = 1.0 * (0.1 + 0.9 / p) * (1 + 0.01 * rng.standard_normal(p.size))
    assert scaling.amdahl_fit(list(p), list(times))[0] == pytest.approx(0.1, abs=0.02)


def test_karp_flatt_of_amdahl_speedup_is_the_serial_fraction():
    for f in (0.02, 0.2):
        for p in (2, 4, 16):
            s = 1 / (f + (1 - f) / p)
            assert scaling.karp_flatt(s, p) == pytest.approx(f)
    assert np.isnan(scaling.karp_flatt(1.0, 1))


def test_result_properties_from_synthetic_timings():
    timings = [scaling.Timing(t, [t], 1, 0) for t in (8.0, 4.4, 2.6)]
    r = scaling.ScalingResult("k", [1, 2, 4], timings, scaling.Timing(16.0, [16.0], 1, 0),
                              work=8e9, unit="GB/s")
    assert r.speedup == pytest.approx([1, 8 / 4.4, 8 / 2.6])
    assert r.speedup_vs_reference == pytest.approx([2, 16 / 4.4, 16 / 2.6])
    assert r.efficiency == pytest.approx([1, 8 / 4.4 / 2, 8 / 2.6 / 4])
    assert r.serial_fraction == pytest.approx(0.1, abs=1e-9)
    assert r.rates == pytest.approx([1.0, 8 / 4.4, 8 / 2.6])
    d = r.to_dict()
    assert d["karp_flatt"][0] is None and d["karp_flatt"][2] == pytest.approx(0.1)
    json.dumps(d)


def test_flat_scaling_at_a_roof_is_not_called_a_serial_fraction():
    # 1.05x from the second thread: Amdahl would say f = 0.9 ...
    timings = [scaling.Timing(t, [t], 1, 0) for t in (1.0, 0.95)]
    r = scaling.ScalingResult("sum", [1, 2], timings)
    assert r.serial_fraction == pytest.approx(0.9)
    assert r.limited_by == "Amdahl serial fraction 0.900"
    # ... but at 92% of the copy roof at 2 threads, memory bandwidth is what binds it
    r.roof, r.roof_fraction = "mem", [0.8, 0.92]
    assert r.limited_by == "bound by memory bandwidth (92% of the copy roof)"
    r.roof_fraction = [0.5, scaling.BOUND_AT]  # at the threshold: bound
    assert r.limited_by.startswith("bound by memory bandwidth (70%")
    r.roof_fraction = [0.5, 0.69]  # below it (and judged at the most threads): Amdahl
    assert r.limited_by == "Amdahl serial fraction 0.900"
    r.roof_fraction = [0.9, 0.5]
    assert r.limited_by == "Amdahl serial fraction 0.900"
    r.roof, r.roof_fraction, r.flop_dtype = "fma", [0.5, 0.85], "float64"
    assert r.limited_by == "bound by the FMA peak (85% of the float64 FMA roof)"
    assert scaling.describe_scaling(0.1, "fma", 0.9) == (
        "bound by the FMA peak (90% of the float32 FMA roof)")
    # past the roof (in-cache data): said as such, neither bound nor a serial fraction
    assert scaling.describe_scaling(0.75, "mem", 2.06) == "above the copy roof (206% of it)"
    assert scaling.describe_scaling(0.75, "mem", 1.004).startswith("bound by memory bandwidth")
    # the speedup plot's legend says the same
    r.roof, r.roof_fraction = "mem", [0.8, 0.92]
    free = scaling.ScalingResult("var", [1, 2], [scaling.Timing(t, [t], 1, 0)
                                                 for t in (1.0, 0.55)])
    ax = scaling.plot_speedup([r, free])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "sum (bound by memory bandwidth (92% of the copy roof))" in labels
    assert "var (Amdahl f=0.100)" in labels
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_time_call_reports_outliers():
    calls = iter([0.0] * 1000)
    t = scaling.time_call(lambda: next(calls, None), repeat=5, min_time=0.001)
    assert t.median >= 0 and len(t.rounds) == 5 and t.outliers >= 0


def test_measure_runs_each_thread_count():
    a = np.ones(1 << 12)
    seen = []

    def fn(x, num_threads):
        seen.append(num_threads)
        return pc.sum(x, num_threads=num_threads)

    r = scaling.measure(fn, a, threads=[1], repeat=3, min_time=0.001, reference=np.sum)
    assert set(seen) == {1} and r.reference is not None and r.speedup == [1.0]
    with pytest.raises(ValueError, match="out of range"):
        scaling.measure(fn, a, threads=[10**6])


def test_plot_writes_a_png(tmp_path):
    timings = [scaling.Timing(t, [t], 1, 0) for t in (1.0, 0.55)]
    r = scaling.ScalingResult("k", [1, 2], timings)
    path = tmp_path / "s.png"
    r.plot(path=str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_plot_ticks_are_whole_thread_counts():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def result(threads):
        return scaling.ScalingResult("k", threads,
                                     [scaling.Timing(1.0 / p, [1.0 / p], 1, 0) for p in threads])

    fig, ax = plt.subplots()
    scaling.plot_speedup([result([1, 2])], ax=ax)
    assert list(ax.get_xticks()) == [1, 2]
    assert ax.get_ylabel() == "speedup vs 1 thread"
    fig, ax = plt.subplots()
    scaling.plot_speedup([result(list(range(1, 33)))], ax=ax)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 1 <= t <= 32]
    assert ticks and all(float(t).is_integer() for t in ticks)
    plt.close("all")


def test_compare_cli_json_and_plot(tmp_path):
    import jsonschema
    js, png = tmp_path / "c.json", tmp_path / "c.png"
    out = subprocess.run([sys.executable, "-m", "pycompute", "compare", "--quick", "sum",
                          "--threads", "1", "2", "--json", str(js), "--plot", str(png),
                          "--no-progress"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "GB/s" in out.stdout
    # the sum's footer: its serial fraction, or the roof that binds it
    assert re.search(r"; (Amdahl serial fraction [01]\.\d{3}|bound by memory bandwidth "
                     r"\(\d+% of the copy roof\)|above the copy roof \(\d+% of it\))$",
                     out.stdout, re.M), out.stdout
    doc = json.loads(js.read_text())
    with open(os.path.join(os.path.dirname(compare.__file__), "compare_schema.json")) as f:
        schema = json.load(f)
    jsonschema.validate(doc, schema)
    assert {r["backend"] for r in doc["results"]} <= {"cython", "numba"}
    for r in doc["results"]:  # the roofline fields: a float32 sum, 1 float64 add per 4 bytes
        assert (r["op"], r["ops_per_byte"], r["roof"], r["flop_dtype"]) == (
            "flop", 0.25, "mem", "float64")
        assert r["roof_gops"] == pytest.approx(0.25 * doc["machine"]["copy_bandwidth_gbs"])
        assert r["percent_of_roof"] == pytest.approx(r["percent_of_limit"])
        assert r["limited_by"] == compare.limited_by(r)
    assert doc["machine"]["fma_peak_float64_gflops"] > 0
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 5000


def test_compare_rejects_unwritable_output(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pycompute", "compare", "--quick", "sum",
                          "--json", "/nonexistent-dir/x.json"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2
    assert "cannot write" in out.stderr and "Traceback" not in out.stderr


def _bench_module(name):
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        return importlib.import_module(f"benchmarks.{name}")
    finally:
        sys.path.pop(0)


def _run_benchmark(cls, params):
    """What asv does for one parameter combination: setup, then every method once."""
    b = cls()
    b.setup(*params)
    ran = 0
    for attr in dir(b):
        if attr.startswith(("time_", "peakmem_")):
            getattr(b, attr)(*params)
            ran += 1
    return ran


def _run_scaling(cls, params):
    """A ``*Scaling`` class on a one-combination grid: its setup_cache, then every track_*."""
    b = cls()
    b.params = tuple([p] for p in params)  # measure() walks self.params
    measured = b.setup_cache()
    b.setup(measured, *params)
    vals = {attr: getattr(b, attr)(measured, *params) for attr in dir(b)
            if attr.startswith("track_")}
    assert vals and all(v > 0 for v in vals.values()), vals
    assert vals["track_speedup_vs_1thread"] == 1.0 and vals["track_efficiency"] == 1.0
    return len(vals)


def test_asv_suite_reductions_runs():
    mod = _bench_module("bench_reductions")
    assert _run_benchmark(mod.Reductions, ("sum", "float32", 1 << 20, "cython", 1)) == 1
    assert _run_scaling(mod.ReductionsScaling, ("sum", "float32", 1 << 20, "cython", 1)) == 4
    with pytest.raises(NotImplementedError):
        mod.Reductions().setup("sum", "float32", 1 << 20, "cython", 10**6)


def test_asv_suite_convolution_runs():
    mod = _bench_module("bench_convolution")
    assert _run_benchmark(mod.Correlate, (3, 1024, "cython", 1)) == 1
    assert _run_scaling(mod.CorrelateScaling, (3, 256, "numba", 1)) == 4


def test_asv_suite_simulation_runs():
    mod = _bench_module("bench_simulation")
    assert _run_benchmark(mod.Heat, (1024, "cython", 1)) == 2
    assert _run_benchmark(mod.Life, (1024, "numba", 1)) == 1
    assert _run_scaling(mod.LifeScaling, (256, "cython", 1)) == 5
