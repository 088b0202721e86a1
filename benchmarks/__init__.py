"""The benchmark suite: `python -m benchmarks` (see benchmarks/README in the project README)."""
