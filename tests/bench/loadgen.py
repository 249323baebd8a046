"""A small HTTP/1.1 keep-alive load client, used when ``wrk`` is not installed.

Run as its own process so that it does not share an interpreter with the harness:

    python -m tests.bench.loadgen http://127.0.0.1:8000/health/live --host localhost --connections 16 --duration 5

Each connection sends one GET at a time and reads the whole response (Content-Length or chunked)
before the next; a server that answers ``Connection: close`` is reconnected to. It prints one line,
``BENCH_JSON {...}``, with the same fields as the harness's wrk report. Only loopback URLs are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
MAX_REQUESTS = 5_000_000
MAX_DURATION_SECONDS = 120.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    status_errors: int = 0


class ProtocolError(Exception):
    pass


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(f"bad status line {lines[0]!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    keep_alive = headers.get("connection") != "close" and parts[0] == "HTTP/1.1"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif status not in (204, 304):
        await reader.read()  # body until the server closes
        keep_alive = False
    return status, keep_alive


async def _client(host: str, port: int, request: bytes, deadline: float, timeout: float, tally: Tally) -> None:
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.perf_counter() < deadline and len(tally.latencies) < MAX_REQUESTS:
        started = time.perf_counter()
        try:
            if stream is None:
                stream = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            reader, writer = stream
            writer.write(request)
            status, keep_alive = await asyncio.wait_for(_read_response(reader), timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ProtocolError):
            tally.errors += 1
            keep_alive = False
            await asyncio.sleep(0.01)
        else:
            tally.latencies.append(time.perf_counter() - started)
            if not 200 <= status < 400:
                tally.status_errors += 1
        if not keep_alive and stream is not None:
            stream[1].close()
            with contextlib.suppress(OSError):
                await stream[1].wait_closed()
            stream = None
    if stream is not None:
        stream[1].close()


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def run(
    url: str,
    *,
    host_header: str,
    connections: int,
    duration: float,
    timeout: float,
    headers: Sequence[str] = (),
) -> dict[str, float]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise SystemExit(f"loadgen: only http:// loopback URLs are accepted, got {url}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {path} HTTP/1.1", f"Host: {host_header}", "User-Agent: monopod-bench", *headers]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    tally = Tally()
    started = time.perf_counter()
    deadline = started + min(duration, MAX_DURATION_SECONDS)
    await asyncio.gather(
        *(_client(parts.hostname, parts.port or 80, request, deadline, timeout, tally) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(tally.latencies)
    return {
        "requests": len(ordered),
        "duration_s": elapsed,
        "errors": tally.errors,
        "status_errors": tally.status_errors,
        "p50_ms": _percentile(ordered, 0.50) * 1000,
        "p95_ms": _percentile(ordered, 0.95) * 1000,
        "p99_ms": _percentile(ordered, 0.99) * 1000,
        "max_ms": (ordered[-1] if ordered else 0.0) * 1000,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.loadgen", description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--host", default="localhost", help="Host header to send")
    parser.add_argument("--header", action="append", default=[], help="another header, 'Name: value' (repeatable)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds (at most 120)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    args = parser.parse_args(argv)
    try:
        import uvloop  # installed with uvicorn[standard]; a faster client loop when present

        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    work = run(
        args.url,
        host_header=args.host,
        connections=max(1, args.connections),
        duration=args.duration,
        timeout=args.timeout,
        headers=args.header,
    )
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(work)
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
