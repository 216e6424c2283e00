"""Benchmarks that print figures (not pass/fail tests). Run one with ``python -m bench.<name>``."""
