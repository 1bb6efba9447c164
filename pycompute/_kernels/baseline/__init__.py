"""Kernels compiled for SIMD level ``baseline`` (see setup.py and pycompute/_simd.py)."""
