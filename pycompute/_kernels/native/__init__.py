"""Kernels compiled for SIMD level ``native`` (see setup.py and pycompute/_simd.py)."""
