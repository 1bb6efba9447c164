"""backend="auto" per kernel: the measured table, the decision rule, `compare --backends`."""
import json

import numpy as np
import pytest

import pycompute as pc
from pycompute import _backends, compare, reductions
from pycompute.cli import main as cli_main


@pytest.fixture
def table(tmp_path, monkeypatch):
    """Point auto at a table written here; the cached order is reset before and after."""
    path = tmp_path / "auto.json"
    monkeypatch.setenv(_backends.AUTO_TABLE_ENV, str(path))
    monkeypatch.setattr(_backends, "_auto_order", None)

    def write(kernels, schema=_backends.AUTO_TABLE_SCHEMA):
        path.write_text(json.dumps({"schema": schema, "kernels": {
            k: {"threads": [1, 2], "numba_over_cython": list(v)} for k, v in kernels.items()}}))
        monkeypatch.setattr(_backends, "_auto_order", None)
        reductions._fast_cache.clear()  # the 1-thread paths keep the kernel auto chose
        reductions._small_cache.clear()
        return path

    yield write
    _backends._auto_order = None
    reductions._fast_cache.clear()
    reductions._small_cache.clear()


@pytest.mark.parametrize("ratios, first", [
    ([0.5, 0.6], "numba"),          # Numba clearly faster at every thread count
    ([0.90, 0.90], "numba"),        # exactly the margin: 0.90 * 1.10 <= 1 (rounding aside)
    ([0.95, 0.5], "cython"),        # within the noise at one thread count
    ([0.5, 1.2], "cython"),         # slower at one thread count
    ([1.0, 1.0], "cython"),
    ([], "cython"),                 # nothing measured
])
def test_decision_rule(ratios, first):
    assert _backends.auto_decision(ratios)[0] == first
    assert sorted(_backends.auto_decision(ratios)) == ["cython", "numba"]


def test_table_changes_what_auto_runs(table):
    table({"sum": [0.5, 0.5], "heat_step": [1.3, 1.2]})
    numba_mod = _backends.choose("auto", "reductions", True, kernel="sum")
    assert numba_mod.__name__ == "pycompute._numba.reductions"
    # mean is timed as sum: same kernel code, same choice
    assert _backends.choose("auto", "reductions", True, kernel="mean") is numba_mod
    assert "pycompute._kernels" in _backends.choose("auto", "simulation", True,
                                                      kernel="heat_step").__name__
    # kernels the table does not name, and calls without a kernel name: Cython first
    assert "pycompute._kernels" in _backends.choose("auto", "reductions", True,
                                                      kernel="var").__name__
    assert "pycompute._kernels" in _backends.choose("auto", "reductions", True).__name__
    assert _backends.auto_table()["numba_first"] == ["sum"]
    # the result is the same whichever backend auto picked
    x = np.random.default_rng(0).random(10_000)
    assert pc.sum(x) == pc.sum(x, backend="numba")


@pytest.mark.parametrize("call, key", [
    (lambda x: pc.sum(x), "sum"), (lambda x: pc.mean(x, axis=0), "sum"),
    (lambda x: pc.min(x), "max"), (lambda x: pc.argmax(x, axis=1), "argmin"),
    (lambda x: pc.std(x), "var"), (lambda x: pc.histogram(x, bins=8), "histogram"),
    (lambda x: pc.correlate1d(x, [1.0, 2.0, 1.0]), "correlate"),
    (lambda x: pc.gaussian_filter(x, 1.0), "gaussian_filter"),
    (lambda x: pc.heat_step(x, alpha=0.1), "heat_step"),
])
def test_public_calls_follow_the_table(table, monkeypatch, call, key):
    """The table reaches the public functions (every path: 1-thread fast path included)."""
    used = []
    real = _backends.kernels
    monkeypatch.setattr(_backends, "kernels",
                        lambda name, family: used.append(name) or real(name, family))
    x = np.random.default_rng(0).random((40, 50))
    table({key: [0.5, 0.5]})
    call(x)
    assert used and set(used) == {"numba"}, used
    used.clear()
    table({key: [1.5, 1.5]})
    call(x)
    assert used and set(used) == {"cython"}, used


def test_explicit_backend_wins_over_the_table(table):
    table({"sum": [0.5, 0.5]})
    mod = _backends.choose("cython", "reductions", True, kernel="sum")
    assert "pycompute._kernels" in mod.__name__


@pytest.mark.parametrize("content, match", [
    ("{not json", "cannot be read"),
    ('{"schema": "other/1", "kernels": {}}', "schema 'other/1'"),
    ('{"schema": "pycompute.auto_backends/1"}', "cannot be read"),
])
def test_a_bad_table_is_a_clear_error(table, content, match):
    path = table({})
    path.write_text(content)
    with pytest.raises(ValueError, match=match) as exc:
        _backends.auto_order("sum")
    assert str(path) in str(exc.value) and "--auto-table" in str(exc.value)


def test_a_missing_table_named_by_the_environment_is_an_error(table, tmp_path, monkeypatch):
    monkeypatch.setenv(_backends.AUTO_TABLE_ENV, str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match="no such file"):
        _backends.auto_order("sum")


def test_the_shipped_table_loads_and_names_compare_kernels(monkeypatch):
    monkeypatch.delenv(_backends.AUTO_TABLE_ENV, raising=False)
    monkeypatch.setattr(_backends, "_auto_order", None)
    path = _backends.auto_table_path()
    doc = json.load(open(path))
    assert doc["schema"] == _backends.AUTO_TABLE_SCHEMA
    assert set(doc["kernels"]) <= set(compare.KERNELS)
    assert _backends.auto_table()["source"] == path
    for k, v in doc["kernels"].items():
        assert _backends.auto_order(k) == _backends.auto_decision(v["numba_over_cython"])
    _backends._auto_order = None


def _doc(times):
    res = [{"kernel": k, "backend": b, "threads": [1, 2], "time_s": t}
           for k, per in times.items() for b, t in per.items()]
    return {"machine": {"cpus": 2, "copy_bandwidth_gbs": 1.0, "fma_peak_gflops": 1.0,
                        "info": {"simd": {"level": "avx2"}}}, "results": res}


def test_backend_ratios_and_the_written_table_round_trip(table, tmp_path, capsys, monkeypatch):
    doc = _doc({"sum": {"cython": [2.0, 1.0], "numba": [1.0, 0.5]},
                "var": {"cython": [1.0, 0.5], "numba": [1.05, 0.5]},
                "max": {"cython": [1.0, 0.5]}})  # one backend only: not in the table
    r = compare.backend_ratios(doc)
    assert set(r) == {"sum", "var"}
    assert r["sum"]["numba_over_cython"] == [0.5, 0.5]
    out = tmp_path / "t.json"
    compare.write_auto_table(doc, str(out), "pycompute compare --backends")
    out_doc = json.loads(out.read_text())
    assert out_doc["command"] == "pycompute compare --backends"
    assert out_doc["machine"]["simd_level"] == "avx2"
    monkeypatch.setenv(_backends.AUTO_TABLE_ENV, str(out))
    monkeypatch.setattr(_backends, "_auto_order", None)
    assert _backends.auto_order("sum")[0] == "numba"
    assert _backends.auto_order("var")[0] == "cython"
    compare.print_backends(doc)
    text = capsys.readouterr().out
    assert "numba/cython" in text and "0.50" in text and "1.05" in text


def test_cli_backends_needs_both_backends(capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["compare", "sum", "--backends", "--backend", "cython"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--backends" in err and "both must run" in err


def test_cli_auto_table_checks_the_path_first(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        cli_main(["compare", "sum", "--auto-table", str(tmp_path / "no" / "dir" / "t.json")])
    assert exc.value.code == 2
    assert "--auto-table" in capsys.readouterr().err


def test_compare_times_the_backend_auto_runs(table):
    table({"sum": [0.5, 0.5]})
    assert compare._auto_backend("sum") == "numba"
    assert compare._auto_backend("var") == "cython"
    kernels, threads, backends, notes = compare.check_request(["sum"], [1], ("auto",))
    assert backends == ["auto"] and not notes
