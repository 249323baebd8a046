"""``python -m tests.bench [name ...]``: run MonoPod's benchmarks and print one table.

Calibration runs first, always; then every ``tests/bench/bench_<name>.py`` module in name order, or
only those named on the command line. Each module has a ``run(bench: BenchRun) -> None`` function.
The table goes to stdout and the figures to ``tests/bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import time
from pathlib import Path
from types import FrameType, ModuleType

from tests.bench.harness import RESULTS_DIR, BenchConfig, BenchError, BenchRun, Failure, progress

PACKAGE = "tests.bench"
PREFIX = "bench_"


def available() -> list[str]:
    """Benchmark names (``bench_<name>`` modules), sorted."""
    package_dir = Path(__file__).resolve().parent
    return sorted(m.name[len(PREFIX) :] for m in pkgutil.iter_modules([str(package_dir)]) if m.name.startswith(PREFIX))


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through every ``finally``, which stops the servers


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description="Run MonoPod's benchmarks.")
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run (default all: {available()})")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per line (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per line (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="measured windows per line, median kept (default 1)")
    parser.add_argument(
        "--fresh-db", action="store_true", help="drop and recreate the monopod_bench database before migrating"
    )
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto", help="load tool (default auto)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.json", help="where the JSON goes")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {available()}")
    if not (0 < args.duration <= 60 and 0 <= args.warmup <= 10 and 1 <= args.connections <= 256):
        parser.error("--duration must be in (0, 60], --warmup in [0, 10], --connections in [1, 256]")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be between 1 and 16")
    if not 1 <= args.repeat <= 5:
        parser.error("--repeat must be between 1 and 5")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    config = BenchConfig(
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        workers=args.workers,
        repeat=args.repeat,
        fresh_db=args.fresh_db,
        loadgen=args.loadgen,
    )
    try:
        bench = BenchRun(config=config)
        tool = bench.tool
    except BenchError as exc:
        print(f"monopod bench: {exc}", file=sys.stderr)
        return 2
    modules: list[ModuleType] = [importlib.import_module(f"{PACKAGE}.calibration")]
    modules += [importlib.import_module(f"{PACKAGE}.{PREFIX}{name}") for name in (args.names or available())]
    progress(f"load tool: {tool}; {config.workers} workers per server; {config.connections} connections")
    started = time.monotonic()
    try:
        for module in modules:
            title = getattr(module, "TITLE", module.__name__)
            progress(f"[{title}]")
            try:
                module.run(bench)
            except BenchError as exc:
                bench.failures.append(Failure(module=title, message=str(exc)))
                progress(f"[{title}] FAILED: {exc}")
    finally:
        bench.close()
    progress(f"done in {time.monotonic() - started:.0f}s")
    print(bench.table())
    bench.write_json(args.output)
    shown = args.output.resolve()
    print(f"results: {shown.relative_to(Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
