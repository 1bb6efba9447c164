"""Kernels compiled for level ``avx512`` (x86-64-v4: AVX-512 F/BW/CD/DQ/VL); see setup.py and pycompute/_simd.py."""
