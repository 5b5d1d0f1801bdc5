"""Benchmarks: each measures Sapa and a baseline in the same run and reports the ratio (`make bench`)."""
