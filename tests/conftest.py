import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import pycompute as pc

# One profile for CI and local runs: enough examples to find layout and dtype
# bugs, few enough that the suite (Numba compiles included) stays within minutes.
settings.register_profile(
    "pycompute",
    max_examples=int(os.environ.get("PYCOMPUTE_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("pycompute")

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]


@pytest.fixture(params=NATIVE)
def backend(request):
    """Every available native backend."""
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
