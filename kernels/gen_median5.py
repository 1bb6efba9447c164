"""Write the 5 x 5 box median loops of both backends from one circuit.

    python kernels/gen_median5.py          # rewrite the generated blocks in place
    python kernels/gen_median5.py --check  # exit 1 if a file differs from what it writes

The circuit is ``pycompute.rank._med5_circuits()`` (row sorts, the pair of output rows,
the 13-cell rank-6 network). This script writes it out as straight-line code between the
``BEGIN generated`` / ``END generated`` markers of kernels/rank.pyx (the C macro
``PYC_MED5_ROWS``: ``pyc_hsort5_*`` and ``pyc_med5x2_*``) and pycompute/_numba/rank.py
(the bodies of ``_hsort5_run`` and ``_med5x2_run``). tests/test_rank.py checks the
circuit on every 0/1 window and that both files hold what this script writes.
"""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYX = os.path.join(HERE, "rank.pyx")
NUMBA = os.path.join(ROOT, "pycompute", "_numba", "rank.py")
WIDTH = 92  # the C macro's lines, before the continuation backslash


def _circuits():
    sys.path.insert(0, ROOT)
    from pycompute.rank import _med5_circuits

    return _med5_circuits()


def _inputs(ops):
    return sorted({x for _, _, a, b in ops for x in (a, b) if x[0] in "sx"})


def c_block() -> list[str]:
    """The C macro PYC_MED5_ROWS(sfx, T): the row sort and the pair loops."""
    cir = _circuits()
    mm = {"mn": "PYC_MN", "mx": "PYC_MX"}

    def fn(header, body):
        return [header, "    for (Py_ssize_t j = 0; j < n; j++) {"] + \
            ["        " + line for line in body] + ["    }", "}"]

    hops, hout = cir["hsort"]
    pops, pout = cir["pair"]
    lines = fn("static PYC_NOINLINE void pyc_hsort5_##sfx(const T *restrict r, T *restrict s, "
               "Py_ssize_t n) {",
               [f"T x{k} = r[j + {k}];" for k in range(5)]
               + [f"T {n} = {mm[k]}({a}, {b});" for n, k, a, b in hops]
               + [f"s[{k} * PYC_M5LS + j] = {o};" for k, o in enumerate(hout)])
    lines += fn("static PYC_NOINLINE void pyc_med5x2_##sfx(const T *restrict q, "
                "T *restrict o0, T *restrict o1, Py_ssize_t n) {",
                [f"T {x} = q[{5 * int(x[1]) + int(x[2])} * PYC_M5LS + j];" for x in _inputs(pops)]
                + [f"T {n} = {mm[k]}({a}, {b});" for n, k, a, b in pops]
                + [f"o{k}[j] = {o};" for k, o in enumerate(pout)])
    out = ["    #define PYC_MED5_ROWS(sfx, T)".ljust(WIDTH + 4) + "\\"]
    out += ["    " + line.ljust(WIDTH) + "\\" for line in lines]
    out[-1] = out[-1].rstrip("\\").rstrip()
    return out


def numba_blocks() -> dict[str, list[str]]:
    """The loop bodies of _hsort5_run and _med5x2_run (8 spaces in)."""
    cir = _circuits()
    mm = {"mn": "_lo", "mx": "_hi"}
    hops, hout = cir["hsort"]
    pops, pout = cir["pair"]
    ind = "        "
    return {
        "_hsort5_run": [ind + line for line in
                        [f"x{k} = r[j + {k}]" for k in range(5)]
                        + [f"{n} = {mm[k]}({a}, {b})" for n, k, a, b in hops]
                        + [f"s[{k} * M5LS + j] = {o}" for k, o in enumerate(hout)]],
        "_med5x2_run": [ind + line for line in
                        [f"{x} = q[{5 * int(x[1]) + int(x[2])} * M5LS + j]" for x in _inputs(pops)]
                        + [f"{n} = {mm[k]}({a}, {b})" for n, k, a, b in pops]
                        + [f"o{k}[j] = {o}" for k, o in enumerate(pout)]],
    }


def _between(text: str, tag: str, new: list[str]) -> str:
    """``text`` with the lines between the markers of ``tag`` replaced by ``new``."""
    begin, end = f"BEGIN generated {tag}", f"END generated {tag}"
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if begin in line)
    j = next(k for k, line in enumerate(lines) if end in line)
    return "\n".join(lines[:i + 1] + new + lines[j:])


def generated() -> dict[str, str]:
    """{path: the file's text with every generated block as this script writes it}."""
    with open(PYX) as f:
        pyx = _between(f.read(), "PYC_MED5_ROWS", c_block())
    with open(NUMBA) as f:
        nb = f.read()
    for name, body in numba_blocks().items():
        nb = _between(nb, name, body)
    return {PYX: pyx, NUMBA: nb}


def main(argv):
    stale = []
    for path, text in generated().items():
        with open(path) as f:
            if f.read() == text:
                continue
        stale.append(path)
        if "--check" not in argv:
            with open(path, "w") as f:
                f.write(text)
    if "--check" in argv and stale:
        print("not as generated: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
