"""The roofline: which roof binds a kernel, the table's "% of roof" column, the plot.

Synthetic numbers throughout (no timing): a machine with 40 GB/s of copy bandwidth and
FMA peaks of 200 (float32) and 100 (float64) GFLOP/s has its float32 ridge at 5 flop/B
and its float64 ridge at 2.5 flop/B.
"""
import io

import pytest

from pycompute import compare, scaling

BW, P32, P64 = 40.0, 200.0, 100.0
LIMITS = {"copy_bandwidth_gbs": BW, "fma_peak_gflops": P32, "fma_peak_float64_gflops": P64}


# ------------------------------------------------------------------ which roof binds


def test_memory_bound_point():
    roof, name = scaling.binding_roof(0.25, BW, P32)  # a float32 sum: one add per 4 bytes
    assert name == "mem" and roof == pytest.approx(BW * 0.25)


def test_compute_bound_point():
    roof, name = scaling.binding_roof(1000.0, BW, P32)  # N-body: far right of the ridge
    assert name == "fma" and roof == P32


def test_ridge_point_counts_as_compute_bound():
    ridge = P32 / BW
    roof, name = scaling.binding_roof(ridge, BW, P32)
    assert name == "fma" and roof == pytest.approx(P32) == pytest.approx(BW * ridge)
    # just left of it the memory roof is the lower one
    roof, name = scaling.binding_roof(ridge * (1 - 1e-9), BW, P32)
    assert name == "mem" and roof < P32


def test_operations_that_are_not_flops_have_only_the_memory_roof():
    roof, name = scaling.binding_roof(1000.0, BW, None)
    assert name == "mem" and roof == pytest.approx(BW * 1000.0)


def _kernel(op="flop", flop_dtype="float32"):
    return compare.Kernel("test", None, None, None, lambda a, k: 1.0, "GB/s", op=op,
                          flop_dtype=flop_dtype)


def test_roofline_fields_of_a_memory_bound_kernel():
    # 1e9 flops over 4e9 bytes (0.25 flop/B): roof 10 GFLOP/s; at 0.125 s, 8 GFLOP/s = 80%
    f = compare.roofline_fields(_kernel(), (1e9, 4e9), [0.25, 0.125], LIMITS)
    assert f["roof"] == "mem" and f["roof_gops"] == pytest.approx(10.0)
    assert f["ops_per_byte"] == pytest.approx(0.25) and f["op"] == "flop"
    assert f["op_rate"] == pytest.approx([4.0, 8.0])
    assert f["percent_of_roof"] == pytest.approx([40.0, 80.0])


def test_roofline_fields_use_the_peak_of_the_kernels_dtype():
    # 10 flop/B: past both ridges; float64 arithmetic meets the float64 peak
    f32 = compare.roofline_fields(_kernel(), (1e10, 1e9), [0.1], LIMITS)
    f64 = compare.roofline_fields(_kernel(flop_dtype="float64"), (1e10, 1e9), [0.1], LIMITS)
    assert (f32["roof"], f32["roof_gops"], f32["flop_dtype"]) == ("fma", P32, "float32")
    assert (f64["roof"], f64["roof_gops"], f64["flop_dtype"]) == ("fma", P64, "float64")
    assert f32["percent_of_roof"] == pytest.approx([50.0])
    assert f64["percent_of_roof"] == pytest.approx([100.0])
    # 3 flop/B lies between the ridges: memory-bound in float32, compute-bound in float64
    assert compare.roofline_fields(_kernel(), (3e9, 1e9), [1.0], LIMITS)["roof"] == "mem"
    assert compare.roofline_fields(_kernel(flop_dtype="float64"), (3e9, 1e9), [1.0],
                                   LIMITS)["roof"] == "fma"


def test_roofline_fields_of_cell_updates_and_of_no_model():
    f = compare.roofline_fields(_kernel(op="cell-update"), (1e12, 1e9), [1.0], LIMITS)
    assert f["roof"] == "mem" and f["flop_dtype"] is None
    assert f["roof_gops"] == pytest.approx(BW * 1000)
    assert set(compare.roofline_fields(_kernel(), None, [1.0], LIMITS).values()) == {None}


def test_every_builtin_kernel_has_a_roofline_model():
    for name, k in compare.KERNELS.items():
        args, kw, _ = k.make(True)
        ops, nbytes = k.roofline_model(args, kw)
        assert ops > 0 and nbytes > 0, name
        assert k.op in ("flop", "cell-update", "element") and k.flop_dtype in compare._PEAK_KEYS
        # the rate column's work is one half of the model
        assert k.work(args, kw) == (nbytes if k.unit == "GB/s" else ops), name
    args, kw, _ = compare.KERNELS["heat_step"].make(True)  # 6 flops per cell, 16 bytes
    assert compare.KERNELS["heat_step"].roofline_model(args, kw) == (
        6.0 * args[0].size * kw["steps"], 16.0 * args[0].size * kw["steps"])


# ------------------------------------------------------------------ the table


def _doc(percent_of_roof, roof="mem", serial_fraction=0.8, flop_dtype=None):
    r = {"kernel": "heat_step", "backend": "cython", "threads": [1, 2],
         "time_s": [0.002, 0.0018], "speedup_vs_reference": None, "speedup": [1.0, 1.11],
         "efficiency": [1.0, 0.56], "rate": [8.0, 9.0], "rate_unit": "GB/s",
         "percent_of_limit": [p for p in percent_of_roof], "limit": "copy",
         "karp_flatt": [None, 0.8], "size": "n", "reference_time_s": None,
         "serial_fraction": serial_fraction, "op": "flop", "ops_per_byte": 0.375,
         "op_rate": [3.0, 3.4], "roof": roof, "flop_dtype": flop_dtype, "roof_gops": 15.0,
         "percent_of_roof": percent_of_roof}
    return {"machine": {"cpus": 2, "max_threads": 2, "copy_bandwidth_gbs": BW,
                        "fma_peak_gflops": P32, "fma_peak_float64_gflops": P64},
            "results": [r], "peers": []}


def _table(doc):
    buf = io.StringIO()
    compare.print_table(doc, buf, legend=False)
    return buf.getvalue()


def test_table_names_the_binding_roof_instead_of_a_serial_fraction():
    text = _table(_doc([80.0, 90.0]))
    assert "% of roof" in text.splitlines()[1]
    assert " 80% mem " in text and " 90% mem " in text
    assert "bound by memory bandwidth (90% of the copy roof)" in text
    assert "serial fraction" not in text
    assert "float64 100" in text.splitlines()[0]  # both peaks on the machine line


def test_table_says_when_a_kernel_ran_above_its_roof():
    text = _table(_doc([150.0, 206.0]))
    assert "206% mem*" in text and "above the copy roof (206% of it)" in text
    assert "serial fraction" not in text and "bound by" not in text
    assert "above 100% of the limit or roof" in text


def test_table_keeps_the_serial_fraction_below_the_roof():
    text = _table(_doc([50.0, 60.0]))
    assert "Amdahl serial fraction 0.800" in text and "bound by" not in text
    text = _table(_doc([30.0, 75.0], roof="fma", flop_dtype="float64"))
    assert " 75% fma " in text
    assert "bound by the FMA peak (75% of the float64 FMA roof)" in text


def test_table_of_a_result_without_roofline_fields():
    doc = _doc([80.0, 90.0])
    for key in ("op", "ops_per_byte", "op_rate", "roof", "flop_dtype", "roof_gops",
                "percent_of_roof"):
        del doc["results"][0][key]
    text = _table(doc)
    assert "Amdahl serial fraction 0.800" in text


# ------------------------------------------------------------------ the plot


def _points():
    return [scaling.RooflinePoint("sum", "cython", 0.25, 9.0, 6.0),
            scaling.RooflinePoint("sum", "numba", 0.25, 8.5, 6.5),
            scaling.RooflinePoint("life_step", "cython", 0.5, 60.0, 35.0, op="cell-update"),
            scaling.RooflinePoint("nbody_accelerations", "numba", 1000.0, 150.0),
            scaling.RooflinePoint("correlate", "cython", 20.0, 100.0, 60.0)]


def test_plot_roofline_draws_roofs_ridges_and_points():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    scaling.plot_roofline(_points(), BW, {"float32": P32, "float64": P64}, ax=ax,
                          title="Roofline: test CPU, 2 threads")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() == "Roofline: test CPU, 2 threads"
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(lab.startswith("memory roof: copy 40.0 GB/s") for lab in labels)
    assert "FMA roof: float32 peak 200 GFLOP/s" in labels
    assert "FMA roof: float64 peak 100 GFLOP/s" in labels
    texts = [t.get_text() for t in ax.texts]
    assert "ridge (float32): 5 flop/B" in texts and "ridge (float64): 2.5 flop/B" in texts
    for name in ("sum", "life_step (cell-updates)", "nbody_accelerations", "correlate"):
        assert name in texts, (name, texts)
    # the sloped roof meets the flat one at the ridge
    slope = next(line for line in ax.get_lines() if line.get_label().startswith("memory"))
    x, y = slope.get_data()
    assert x[-1] == pytest.approx(P32 / BW) and y[-1] == pytest.approx(P32)
    # every point lies inside the axes
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for p in _points():
        assert x0 < p.intensity < x1 and y0 < p.rate < y1
    plt.close(fig)
    # only the float32 peak known: one flat roof
    fig, ax = plt.subplots()
    scaling.plot_roofline(_points()[:1], BW, {"float32": P32, "float64": None}, ax=ax)
    assert not any("float64" in line.get_label() for line in ax.get_lines())
    plt.close(fig)


def test_plot_roofline_of_a_compare_doc_writes_a_png(tmp_path):
    doc = _doc([80.0, 90.0])
    doc["results"].append(dict(doc["results"][0], kernel="registered", op_rate=None))
    path = tmp_path / "roof.png"
    left_out = compare.plot_roofline_doc(doc, str(path), quick=True)
    assert left_out == ["registered"]
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
