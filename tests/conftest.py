import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import pycompute as pc

# The default profile, for CI and local runs: enough examples to find layout and
# dtype bugs, few enough that the suite (Numba compiles included) stays within
# minutes. `pytest --hypothesis-profile=long` runs thousands per property (the
# hypothesis plugin loads it after this file, so it wins).
settings.register_profile(
    "pycompute",
    max_examples=int(os.environ.get("PYCOMPUTE_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("long", settings.get_profile("pycompute"), max_examples=2000)
settings.load_profile("pycompute")


def pytest_configure(config):
    # pyproject.toml registers `slow` too; this keeps --strict-markers working where the
    # tests run without it (tools/check_wheel.sh runs a copy of tests/ outside the repo).
    if not any(line.startswith("slow:") for line in config.getini("markers")):
        config.addinivalue_line("markers", "slow: exhaustive or long cases; run by `pytest -m slow`")

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (the README's test command): one worker per core, at most 4. Two
    workers on the 2-core VM cut the cold run from 7.4 to 4.3 min (Numba compiles on both
    cores); more than 4 would multiply the per-worker memory and compile work for little."""
    return max(1, min(os.cpu_count() or 1, 4))


NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]


@pytest.fixture(params=NATIVE)
def backend(request):
    """Every available native backend."""
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
