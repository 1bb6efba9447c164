"""`pycompute warmup` compiles ahead: a later process loads from Numba's cache, compiles nothing."""
import os
import subprocess
import sys

import pytest

from pycompute.cli import main as cli_main

# In a fresh process: make the first Numba Life call, then count the cache misses (compiles)
# and hits (loads) of every dispatcher in the Numba simulation module.
PROBE = """
import numpy as np, pycompute as pc
pc.life_step(np.zeros((40, 70), bool), steps=3, backend="numba")
import pycompute._numba.simulation as m
from numba.core.dispatcher import Dispatcher
ds = [d for d in vars(m).values() if isinstance(d, Dispatcher)]
print(sum(sum(d.stats.cache_misses.values()) for d in ds),
      sum(sum(d.stats.cache_hits.values()) for d in ds))
"""


def _probe(env):
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])


def test_warmup_fills_the_cache_that_the_next_process_loads(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    misses, hits = _probe(env)  # a cold cache: the first call compiles
    assert misses > 0 and hits == 0
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "cache2")
    res = subprocess.run([sys.executable, "-m", "pycompute", "warmup", "--family", "simulation",
                          "--dtype", "bool"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "simulation" in res.stdout and "warmup:" in res.stdout
    misses, hits = _probe(env)  # after warmup: everything loads, nothing compiles
    assert misses == 0 and hits > 0


@pytest.mark.parametrize("argv, match", [
    (["--family", "nope"], "'nope': not a kernel family"),
    (["--dtype", "complex64"], "'complex64': no native kernel takes it"),
    (["--jobs", "0"], "--jobs: 0 is not a positive count"),
])
def test_bad_arguments_exit_2_with_the_reason(argv, match, capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["warmup", *argv])
    assert exc.value.code == 2
    assert match in capsys.readouterr().err
