"""Kernels compiled for level ``avx2`` (x86-64-v3: AVX2, FMA, BMI1/2); see setup.py and pycompute/_simd.py."""
