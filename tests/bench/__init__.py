"""Benchmarks (`make bench`): figures printed as a report, never collected by pytest as tests."""
