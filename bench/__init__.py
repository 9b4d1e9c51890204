"""Benchmarks: run them with `bench/run` (see docs/benchmarks.md). Never imported by the app."""
