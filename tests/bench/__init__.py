"""MonoPod's benchmarks: ``python -m tests.bench`` (``make bench``). Kept out of ``make test``; see
docs/benchmarks.md."""
