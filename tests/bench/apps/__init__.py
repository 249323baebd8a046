"""Bare baseline applications the benchmarks compare MonoPod against."""
