"""Kernels compiled for SIMD level ``avx512`` (see setup.py and pycompute/_simd.py)."""
