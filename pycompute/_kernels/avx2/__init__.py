"""Kernels compiled for SIMD level ``avx2`` (see setup.py and pycompute/_simd.py)."""
