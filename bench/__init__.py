"""Benchmarks that print figures (not pass/fail tests): ``python -m bench`` or ``python -m bench.<name>``."""
