"""The command line: info, compare and demo, as a user runs them."""
import json
import os
import subprocess
import sys

import pytest

import pycompute as pc
from pycompute import compare, demo
from pycompute.cli import main


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


def test_compare_quick_prints_a_table_and_draws_the_roofline(tmp_path):
    roof = tmp_path / "roofline.png"
    out = run("compare", "--quick", "sum", "--backend", "cython", "--threads", "1",
              "--no-progress", "--roofline", str(roof))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("machine:") and "GB/s" in lines[0]
    assert any(line.startswith("sum") and "cython" in line for line in lines)
    assert any("Amdahl serial fraction" in line for line in lines)
    # the quick sizes are said, and a legend under the table explains every column
    assert "sizes: --quick" in out.stdout
    header = next(line for line in lines if line.startswith("kernel"))
    for column in ("thr", "time ms", "vs ref", "vs 1 thr", "eff", "rate", "% of limit",
                   "% of roof", "K-F"):
        assert column in header
        assert any(line.startswith(f"  {column.replace('1', 'N')} ") for line in lines), column
    assert any(line.startswith("  Amdahl serial fraction:") for line in lines)
    row = next(line for line in lines if line.startswith("sum"))
    assert "% copy" in row and "GB/s" in row and "% mem" in row
    # the roofline: a PNG, and the machine line gives the float64 peak it draws
    assert f"wrote {roof}" in out.stdout and "float64" in lines[0]
    from PIL import Image

    with Image.open(roof) as im:
        assert im.format == "PNG" and im.size[0] > 600 and im.size[1] > 400
    assert roof.stat().st_size > 20_000


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
    assert "--quick sizes" in out.stdout and "columns:" in out.stdout
    for name in ("gray_scott.png", "heat.png", "scaling.png", "roofline.png"):
        data = (tmp_path / "demo" / name).read_bytes()
        assert data[:4] == b"\x89PNG" and len(data) > 10_000, name
        assert str(tmp_path / "demo" / name) in out.stdout
    assert json.loads((tmp_path / "demo" / "compare.json").read_text())["results"]
    # the animated GIF of the Gray-Scott run: a few small frames
    from PIL import Image

    gif = tmp_path / "demo" / "gray_scott.gif"
    assert str(gif) in out.stdout
    with Image.open(gif) as im:
        assert im.format == "GIF" and 5 <= im.n_frames <= 40
        assert max(im.size) <= 400
    assert gif.stat().st_size < 1_000_000
    # a second run into the folder the first one wrote is allowed (its files are replaced)
    demo.check_out(str(tmp_path / "demo"))


def test_demo_unwritable_folder_exits_cleanly():
    out = run("demo", "--out", "/proc/pycompute-demo")
    assert out.returncode == 2 and "Traceback" not in out.stderr


# ------------------------------------------------------------------ help and argument errors


def _main(argv, capsys):
    """Run the CLI in this process; return (exit status, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv", [["--help"], ["info", "--help"], ["compare", "--help"],
                                  ["demo", "--help"]])
def test_help_is_plain_text(argv, capsys):
    code, out, err = _main(argv, capsys)
    assert code == 0 and out
    assert "``" not in out and ":func:" not in out and ":mod:" not in out


def test_compare_help_lists_kernels_and_explains_columns(capsys):
    code, out, _ = _main(["compare", "--help"], capsys)
    assert code == 0
    for name in compare.KERNELS:
        assert name in out, name
    for column in ("vs ref", "vs N thr", "eff", "rate", "% of limit", "% of roof", "K-F",
                   "Amdahl serial fraction"):
        assert f"\n  {column}" in out, column
    assert "--roofline FILE.png" in out and "roofs" in out
    # the help promises only what --peers does: OpenCV rows; the reference is always timed
    assert "OpenCV" in out and "scipy/NumPy/OpenCV rows" not in out


def test_table_flags_rates_above_the_limit():
    import io

    doc = {"machine": {"cpus": 2, "max_threads": 2, "copy_bandwidth_gbs": 10.0,
                       "fma_peak_gflops": 100.0},
           "results": [{"kernel": "sum", "backend": "cython", "threads": [1, 2],
                        "time_s": [0.002, 0.001], "speedup_vs_reference": None,
                        "speedup": [1.0, 2.0], "efficiency": [1.0, 1.0], "rate": [6.0, 12.0],
                        "rate_unit": "GB/s", "percent_of_limit": [60.0, 120.0],
                        "limit": "copy", "karp_flatt": [None, 0.0], "size": "n",
                        "reference_time_s": None, "serial_fraction": 0.0}],
           "peers": []}
    buf = io.StringIO()
    compare.print_table(doc, buf)
    text = buf.getvalue()
    assert " 60% copy " in text and "120% copy*" in text
    assert "* above 100% of the limit" in text and "cache" in text
    doc["results"][0]["percent_of_limit"] = [60.0, 90.0]
    buf = io.StringIO()
    compare.print_table(doc, buf)
    assert "*" not in buf.getvalue().split("columns:")[0]


def test_peers_says_when_opencv_is_missing():
    # cv2 = None in sys.modules makes `import cv2` fail, as on a machine without OpenCV
    code = ("import sys; sys.modules['cv2'] = None\n"
            "from pycompute.cli import main\n"
            "raise SystemExit(main(['compare', '--quick', 'sum', '--threads', '1', '--backend',"
            " 'cython', '--peers', '--no-progress']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "OpenCV: not installed (pip install opencv-python-headless)" in out.stdout
    assert "no peer for sum" in out.stdout


def test_peers_with_opencv_prints_its_rows(capsys, monkeypatch):
    try:
        import cv2  # noqa: F401 - the real peer where it is installed
    except ImportError:  # else a stand-in with OpenCV's names: the peer rows' plumbing
        import types

        import scipy.ndimage as ndi

        stub = types.ModuleType("cv2")
        stub.__version__ = "stand-in"
        stub.BORDER_REFLECT = 2
        stub.getNumThreads = lambda: 1
        stub.blur = lambda img, ksize, borderType=None: ndi.uniform_filter(
            img, (ksize[1], ksize[0], 1)[:img.ndim], mode="reflect")
        monkeypatch.setitem(sys.modules, "cv2", stub)
    code, out, err = _main(["compare", "--quick", "uniform_filter", "--threads", "1",
                            "--backend", "cython", "--peers", "--no-progress"], capsys)
    assert code == 0, err
    assert "OpenCV" in out and "found" in out
    row = next(line for line in out.splitlines() if "cv2.blur" in line)
    assert "cython, 1 thr" in row
    assert "x peer: the peer's time / pycompute's best time" in out


@pytest.mark.parametrize("argv,words", [
    (["compare", "nosuchkernel"], ["KERNEL", "'nosuchkernel'", "choose from", "sum"]),
    (["compare", "sum", "--threads", "0"], ["--threads=0", "out of range", "allowed"]),
    (["compare", "sum", "--threads", "1", "100000"], ["--threads=100000", "out of range"]),
    (["compare", "sum", "--threads", "two"], ["--threads", "invalid int value: 'two'"]),
    (["compare", "sum", "--backend", "fortran"], ["--backend", "'fortran'", "cython"]),
    (["compare", "sum", "--plot", "speedup.txt"], ["--plot", "speedup.txt", ".png"]),
    (["compare", "sum", "--roofline", "roof.txt"],
     ["--roofline", "'roof.txt'", "cannot write .txt", "end the name with one of", ".png"]),
    (["compare", "sum", "--roofline", "roofline"],
     ["--roofline", "'roofline'", "a file without an extension", ".png"]),
    (["compare", "sum", "--roofline", "/nonexistent-dir/r.png"],
     ["--roofline", "'/nonexistent-dir/r.png'", "'/nonexistent-dir' is not a writable folder"]),
    (["compare", "sum", "--plot", "same.png", "--roofline", "same.png"],
     ["--roofline", "'same.png'", "--plot writes that file", "its own file name"]),
    (["compare", "sum", "--roofline"], ["--roofline", "expected one argument"]),
])
def test_compare_argument_errors(argv, words, capsys):
    code, out, err = _main(argv, capsys)
    assert code == 2 and "Traceback" not in err
    assert "pycompute compare: error:" in err
    for w in words:
        assert w in err, (w, err)


def test_compare_json_into_a_folder_is_refused(tmp_path, capsys):
    code, _, err = _main(["compare", "sum", "--json", str(tmp_path)], capsys)
    assert code == 2 and "--json" in err and str(tmp_path) in err and "folder" in err
    code, _, err = _main(["compare", "sum", "--roofline", str(tmp_path)], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"cannot write {str(tmp_path)!r} (--roofline): it is a folder; give a file name" in err


def test_demo_out_errors(tmp_path, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("x")
    cases = [(a_file, "is a file"), (busy, "holds other files (notes.txt)"),
             (a_file / "sub", "is not a folder")]
    for path, why in cases:
        code, _, err = _main(["demo", "--out", str(path)], capsys)
        assert code == 2 and "Traceback" not in err, err
        assert "pycompute demo: error: argument --out:" in err
        assert repr(str(path)) in err and why in err and "allowed:" in err, err
    assert not (a_file.parent / "sub").exists()
    assert sorted(os.listdir(busy)) == ["notes.txt"]


def test_demo_out_allowed_folders(tmp_path):
    demo.check_out(str(tmp_path / "new" / "deeper"))  # created by the demo
    (tmp_path / "empty").mkdir()
    demo.check_out(str(tmp_path / "empty"))
    old = tmp_path / "old"
    old.mkdir()
    for name in demo.OUTPUTS:
        (old / name).write_text("")
    demo.check_out(str(old))
