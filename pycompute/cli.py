"""``pycompute`` command line: ``info``, ``compare`` and ``demo``.

Bad arguments print a one-line message and exit with status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys


def _cmd_info(args) -> int:
    from ._info import collect, format_info

    d = collect()
    print(json.dumps(d, indent=2) if args.json else format_info(d))
    return 0


def _cmd_compare(args) -> int:
    from .compare import run_compare

    try:
        run_compare(args.kernels or None, threads=args.threads, quick=args.quick,
                    backends=args.backend, peers=args.peers, json_path=args.json,
                    plot_path=args.plot, progress=not args.no_progress)
    except (ValueError, TypeError, OSError) as exc:
        print(f"pycompute compare: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_demo(args) -> int:
    from .demo import run

    try:
        run(args.out, quick=not args.full)
    except (ValueError, OSError) as exc:
        print(f"pycompute demo: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="pycompute", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pi = sub.add_parser("info", help="version, backends, build flags, OpenMP, threads")
    pi.add_argument("--json", action="store_true", help="print JSON")
    pi.set_defaults(fn=_cmd_info)
    pc_ = sub.add_parser("compare", help="time kernels serially (NumPy) and in parallel")
    pc_.add_argument("kernels", nargs="*",
                     help="kernels to run (default: one representative per family)")
    pc_.add_argument("--threads", type=int, nargs="+", default=None,
                     help="thread counts (default: 1, 2, 4, ... up to the maximum)")
    pc_.add_argument("--backend", nargs="+", default=["cython", "numba"],
                     choices=["cython", "numba"], help="native backends to time")
    pc_.add_argument("--quick", action="store_true", help="small sizes, few repeats (< 30 s)")
    pc_.add_argument("--peers", action="store_true", help="add scipy/NumPy/OpenCV rows")
    pc_.add_argument("--json", metavar="FILE", help="write results as JSON (schema pycompute.compare/1)")
    pc_.add_argument("--plot", metavar="FILE.png", help="write a speedup plot (matplotlib)")
    pc_.add_argument("--no-progress", action="store_true", help="no progress bar")
    pc_.set_defaults(fn=_cmd_compare)
    pd = sub.add_parser("demo", help="simulate, filter, time and plot (under a minute)")
    pd.add_argument("--out", metavar="DIR", default=None,
                    help="folder for the images, plot and JSON (default: a new folder here)")
    pd.add_argument("--full", action="store_true", help="full-size comparison (slower)")
    pd.set_defaults(fn=_cmd_demo)
    args = p.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
