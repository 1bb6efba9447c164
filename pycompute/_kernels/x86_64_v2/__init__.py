"""Kernels compiled for level ``baseline`` (x86-64-v2: SSE4.2, POPCNT); see setup.py and pycompute/_simd.py."""
