"""Kernels of a ``PYCOMPUTE_MARCH=...`` build: level ``native``, for the building machine's CPU only."""
