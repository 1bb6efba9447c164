"""``pycompute`` command line: ``info``, ``compare``, ``demo`` and ``warmup``.

Bad arguments print the usage and a one-line message naming the argument, the
value and what is allowed, and exit with status 2 (argparse's convention),
never a traceback. Help texts are plain text (``_plain`` strips reST markup).
"""
from __future__ import annotations

import argparse
import json
import sys


def _plain(text: str) -> str:
    """Help text without reST markup: ``name`` -> name."""
    return text.replace("``", "")


def _cmd_info(args) -> int:
    from ._info import collect, format_info

    d = collect()
    print(json.dumps(d, indent=2) if args.json else format_info(d))
    return 0


def _cmd_compare(args) -> int:
    from .compare import check_request, run_compare

    try:
        check_request(args.kernels or None, args.threads, args.backend, args.json, args.plot,
                      args.backends, args.auto_table, args.roofline)
    except (ValueError, TypeError) as exc:
        args.parser.error(_plain(str(exc)).replace("`", ""))
    try:
        run_compare(args.kernels or None, threads=args.threads, quick=args.quick,
                    backends=args.backend, peers=args.peers, json_path=args.json,
                    plot_path=args.plot, progress=not args.no_progress,
                    compare_backends=args.backends, auto_table=args.auto_table,
                    command="pycompute " + " ".join(args.argv), roofline_path=args.roofline)
    except (ValueError, TypeError, OSError) as exc:
        print(f"pycompute compare: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_demo(args) -> int:
    from .demo import prepare_out, run

    try:
        out = prepare_out(args.out)
    except ValueError as exc:
        args.parser.error(f"argument --out: {exc}")
    try:
        run(out, quick=not args.full)
    except (ValueError, OSError) as exc:
        print(f"pycompute demo: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_warmup(args) -> int:
    from .warmup import check, run

    try:
        check(args.family, args.dtype)
    except ValueError as exc:
        args.parser.error(_plain(str(exc)).replace("`", ""))
    if args.jobs is not None and args.jobs < 1:
        args.parser.error(f"argument --jobs: {args.jobs} is not a positive count")
    try:
        run(args.family, args.dtype, args.jobs)
    except (ValueError, RuntimeError) as exc:
        print(f"pycompute warmup: {exc}", file=sys.stderr)
        return 1
    return 0


_COMPARE_DESCRIPTION = """\
Time kernels at several thread counts on the native backends (Cython + OpenMP,
Numba) and once on the serial NumPy/SciPy reference; print a table of times,
speedups, efficiency, rates against this machine's limits (measured at
start-up: parallel copy bandwidth, FMA peak) and against the roofline roof that
binds each kernel, the Karp-Flatt metric and the Amdahl serial fraction (or,
for a kernel at its roof, which roof binds it).

examples:
  pycompute compare --quick
  pycompute compare sum correlate --threads 1 2 --peers --json out.json --plot speedup.png
  pycompute compare heat_step life_step nbody_accelerations --roofline roofline.png"""


def _compare_epilog() -> str:
    from .compare import LEGEND, describe_kernels

    return (f"kernels (* = run when none is named):\n{describe_kernels()}\n\n{LEGEND}\n\n"
            "--json writes every number above (schema pycompute.compare/1, "
            "pycompute/compare_schema.json).")


_DEMO_DESCRIPTION = """\
Grow a Gray-Scott reaction-diffusion pattern and a heat diffusion on every core,
then time sum, gaussian_filter and heat_step serially and in parallel on the
backend backend='auto' runs for each, as 'pycompute compare --quick' does
(small inputs; --full for full sizes). Writes
gray_scott.png, gray_scott.gif (the pattern growing), heat.png, scaling.png,
roofline.png and compare.json into one folder and prints where."""


def main(argv=None) -> int:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="pycompute", description=_plain(__doc__.splitlines()[0]),
        epilog="'pycompute COMMAND --help' describes each command.")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    pi = sub.add_parser("info", help="version, backends, build flags, OpenMP, threads",
                        description="Version, backends, build flags, SIMD level, OpenMP "
                                    "and thread settings of this installation.")
    pi.add_argument("--json", action="store_true", help="print JSON")
    pi.set_defaults(fn=_cmd_info, parser=pi)
    pc_ = sub.add_parser("compare", help="time kernels serially (NumPy/SciPy) and in parallel",
                         description=_COMPARE_DESCRIPTION, epilog=_compare_epilog(),
                         formatter_class=fmt)
    pc_.add_argument("kernels", nargs="*", metavar="KERNEL",
                     help="kernels to time (listed below; default: the ones marked *)")
    pc_.add_argument("--threads", type=int, nargs="+", default=None, metavar="N",
                     help="thread counts, 1 up to the maximum, or negative to count back "
                          "from it (-1 = all) (default: 1, 2, 4, ... up to the maximum)")
    pc_.add_argument("--backend", nargs="+", default=["cython", "numba"],
                     choices=["cython", "numba", "auto"],
                     help="native backends to time (default: both); auto = the one "
                          "backend='auto' runs for each kernel")
    pc_.add_argument("--quick", action="store_true",
                     help="small inputs, few repeats (under 30 s); inputs may fit in cache, "
                          "so rates can pass the copy bandwidth")
    pc_.add_argument("--peers", action="store_true",
                     help="also time the same call in OpenCV where it has one (gaussian_filter, "
                          "correlate, uniform_filter, median_filter, minimum_filter), and say "
                          "whether OpenCV was found; "
                          "the NumPy/SciPy reference is always timed (column 'vs ref')")
    pc_.add_argument("--json", metavar="FILE",
                     help="write the results as JSON (schema pycompute.compare/1)")
    pc_.add_argument("--plot", metavar="FILE.png",
                     help="write a speedup plot (matplotlib; .png, .pdf, .svg, ...)")
    pc_.add_argument("--roofline", metavar="FILE.png",
                     help="write a roofline plot: each kernel's operations per byte against "
                          "its attained rate, under this machine's measured copy-bandwidth "
                          "and FMA roofs (matplotlib; .png, .pdf, .svg, ...)")
    pc_.add_argument("--backends", action="store_true",
                     help="also print Numba's time over Cython's per kernel and thread count, "
                          "and which backend backend='auto' runs for it")
    pc_.add_argument("--auto-table", metavar="FILE.json",
                     help="write those ratios as the table backend='auto' reads (implies "
                          "--backends; point PYCOMPUTE_AUTO_TABLE at it to use it)")
    pc_.add_argument("--no-progress", action="store_true", help="no progress bar")
    pc_.set_defaults(fn=_cmd_compare, parser=pc_)
    pd = sub.add_parser("demo", help="simulate, filter, time and plot (under a minute)",
                        description=_DEMO_DESCRIPTION, formatter_class=fmt)
    pd.add_argument("--out", metavar="DIR", default=None,
                    help="folder for the images, plot and JSON: a new folder, an empty one, "
                         "or one an earlier demo wrote (default: a new pycompute-demo-DATE-TIME "
                         "folder here)")
    pd.add_argument("--full", action="store_true",
                    help="time at full sizes (4096x4096 images, 2^26 values; slower)")
    pd.set_defaults(fn=_cmd_demo, parser=pd)
    from .warmup import DEFAULT_DTYPES, DTYPES, FAMILIES, __doc__ as warm_doc

    pw = sub.add_parser("warmup", help="compile the Numba kernels now, not on first use",
                        description=_plain(warm_doc), formatter_class=fmt,
                        epilog="dtypes per family:\n" + "\n".join(
                            f"  {f}: {', '.join(d)}" for f, d in DTYPES.items()))
    pw.add_argument("--family", nargs="+", metavar="NAME", default=None,
                    help=f"kernel families ({', '.join(FAMILIES)}; default: all)")
    pw.add_argument("--dtype", nargs="+", metavar="DTYPE", default=None,
                    help=f"dtypes to compile for (default: {' '.join(DEFAULT_DTYPES)})")
    pw.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="families compiled at the same time, one process each "
                         "(default: the CPU count)")
    pw.set_defaults(fn=_cmd_warmup, parser=pw)
    args = p.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args.fn(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
