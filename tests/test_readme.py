"""Every ```python block of README.md runs as pasted into a script.

Each block is written to a file and run by a fresh interpreter (``python
block.py``), so ``if __name__ == "__main__":`` guards matter as they do for a
user (Dask's ``Client()`` starts worker processes that import the main
module). Blocks that are not Python are fenced with their language
(```bash, ```text): every fence must name one, so nothing meant to run is
skipped by accident. A few blocks carry extra checks of what they claim.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
FENCE = re.compile(r"^```(\S*)[ \t]*$")
if not os.path.exists(README):  # a copy of tests/ run outside the repo (tools/check_wheel.sh)
    pytest.skip("README.md is not next to tests/", allow_module_level=True)


def blocks():
    """``(first line number, language, code)`` of every fenced block of README.md."""
    out, lang, start, lines = [], None, 0, []
    with open(README, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if lang is None and m:
                lang, start, lines = m.group(1), no, []
            elif lang is not None and line.rstrip() == "```":
                out.append((start, lang, "".join(lines)))
                lang = None
            elif lang is not None:
                lines.append(line)
    assert lang is None, f"README.md: the block opened at line {start} is never closed"
    return out


PYTHON = [(start, code) for start, lang, code in blocks() if lang == "python"]

#: checks appended to a block that contains the key: what the README says it does
CLAIMS = {
    # the Gray-Scott example grows a pattern: v far from uniform, neither zero nor everywhere
    "gray_scott_step": """
import numpy as _np
_frac = float((v > 0.1).mean())
assert float(v.std()) > 0.05 and 0.05 < _frac < 0.95, (float(v.std()), _frac)
print("README claim ok: gray_scott_step", float(v.std()), _frac)
""",
}


def test_every_fence_names_its_language():
    bad = [start for start, lang, _ in blocks() if not lang]
    assert not bad, (f"README.md blocks at lines {bad} have no language: fence Python as "
                     "```python (it is run by this test) and listings as ```text")


def test_readme_has_python_blocks():
    assert len(PYTHON) >= 2


@pytest.mark.parametrize("start,code", PYTHON, ids=[f"line{s}" for s, _ in PYTHON])
def test_block_runs_as_a_script(start, code, tmp_path):
    checks = "".join(extra for key, extra in CLAIMS.items() if key in code)
    script = tmp_path / f"readme_line{start}.py"
    script.write_text(code + checks)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    try:
        out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail(f"README.md block at line {start} ran for more than 300 s")
    assert out.returncode == 0, (f"README.md block at line {start} failed:\n"
                                 f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    # Dask's warning for an array embedded in the task graph (the snippet builds its data
    # on the workers instead)
    assert "Sending large graph" not in out.stderr, out.stderr[-3000:]
    for key in CLAIMS:
        if key in code:
            assert f"README claim ok: {key}" in out.stdout
