"""Kernels compiled for level ``baseline`` on a CPU other than x86 (the compiler's default target)."""
