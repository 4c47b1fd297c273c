"""Benchmarks, run on demand (``python -m bench``); not collected by pytest."""
