"""The benchmark harness: servers, load, measurements, comparisons and the printed table.

A benchmark module receives a ``BenchRun``. ``BenchRun.measure_http()`` serves one server spec
(``uvicorn()``, ``gunicorn()``), warms it up, drives it with wrk or ``loadgen`` and records a
``Measurement``; ``BenchRun.record()`` takes any other measurement, and ``BenchRun.compare()`` sets it
against a baseline of the same run. Nothing here knows about a particular benchmark.

Every server runs in its own process group on a port chosen free at run time, and is always
terminated when the ``with`` block ends. Load goes only to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
LOGS_DIR = RESULTS_DIR / "logs"
LOOPBACK = "127.0.0.1"
READY_TIMEOUT_SECONDS = 60.0
WRONG_ANSWER_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
JSON_MARKER = "BENCH_JSON "

# wrk prints its summary through this script so the harness can read p50/p95 exactly.
WRK_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %d, \\"duration_s\\": %.6f, \\"errors\\": %d, \\"status_errors\\": %d, "
      .. "\\"p50_ms\\": %.3f, \\"p95_ms\\": %.3f, \\"p99_ms\\": %.3f, \\"max_ms\\": %.3f}\\n",
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3))
end
"""


class BenchError(RuntimeError):
    """A benchmark could not be measured (a server did not start, the load tool failed)."""


# --- Configuration and results -------------------------------------------------------------------


@dataclass(frozen=True)
class BenchConfig:
    duration: float = 5.0
    warmup: float = 1.0
    connections: int = 16
    workers: int = 2
    repeat: int = 1
    fresh_db: bool = False
    loadgen: Literal["auto", "wrk", "python"] = "auto"

    def load_tool(self) -> str:
        if self.loadgen == "python" or (self.loadgen == "auto" and shutil.which("wrk") is None):
            return "python"
        if shutil.which("wrk") is None:
            raise BenchError("--loadgen wrk asked for, but wrk is not installed (apt-get install wrk)")
        return "wrk"


@dataclass
class LoadResult:
    """What one load run measured: completed requests, failures and latency percentiles."""

    requests: int
    duration_s: float
    errors: int
    status_errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        """Successful (2xx/3xx) responses per second: error responses do not count as served."""
        ok = max(0, self.requests - self.status_errors)
        return ok / self.duration_s if self.duration_s > 0 else 0.0


@dataclass
class Measurement:
    """One line of the table. ``rate`` is in ``unit`` (req/s, rows/s); latencies are per request."""

    key: str
    group: str
    label: str
    server: str
    unit: str
    rate: float
    p50_ms: float | None = None
    p95_ms: float | None = None
    cpu_ms: float | None = None
    """Server CPU time (all its processes, user + system) per request: steadier than the rate on a busy
    machine, because it does not count time spent waiting for the CPU."""
    count: int = 0
    errors: int = 0
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Comparison:
    """``subject`` against ``baseline`` from the same run: rate, p95 and CPU-per-request ratios."""

    subject: str
    baseline: str
    label: str
    rate_ratio: float
    p95_ratio: float | None
    cpu_ratio: float | None = None


@dataclass
class Failure:
    module: str
    message: str


# --- Servers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    """How to start one HTTP server for a benchmark: the argv without its port, and its environment."""

    kind: Literal["uvicorn", "gunicorn"]
    app: str
    workers: int
    env: Mapping[str, str] = field(default_factory=dict)
    threads: int = 1
    """gunicorn only: 1 runs sync workers; more runs gthread workers with that many threads each."""

    @property
    def interface(self) -> str:
        return "ASGI" if self.kind == "uvicorn" else "WSGI"

    @property
    def description(self) -> str:
        if self.threads > 1:
            return f"{self.kind} x{self.workers} gthread x{self.threads}"
        return f"{self.kind} x{self.workers} ({self.interface})"

    def argv(self, port: int) -> list[str]:
        python = sys.executable
        if self.kind == "uvicorn":
            return [
                python, "-m", "uvicorn", self.app,
                "--host", LOOPBACK, "--port", str(port),
                "--workers", str(self.workers),
                "--lifespan", "off", "--no-access-log", "--log-level", "warning",
                "--timeout-graceful-shutdown", "3",
            ]  # fmt: skip
        argv = [
            python, "-m", "gunicorn", self.app,
            "--bind", f"{LOOPBACK}:{port}",
            "--workers", str(self.workers),
            "--log-level", "warning", "--graceful-timeout", "3",
            "--no-control-socket",  # no shared ~/.gunicorn/gunicorn.ctl between concurrent servers
        ]  # fmt: skip
        if self.threads > 1:
            return [*argv, "--worker-class", "gthread", "--threads", str(self.threads), "--keep-alive", "75"]
        return [*argv, "--worker-class", "sync"]


def uvicorn(app: str, *, workers: int, env: Mapping[str, str] | None = None) -> ServerSpec:
    return ServerSpec(kind="uvicorn", app=app, workers=workers, env=dict(env or {}))


def gunicorn(app: str, *, workers: int, env: Mapping[str, str] | None = None, threads: int = 1) -> ServerSpec:
    return ServerSpec(kind="gunicorn", app=app, workers=workers, env=dict(env or {}), threads=threads)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def http_get(
    port: int, path: str, host: str, timeout: float = 2.0, headers: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={**(headers or {}), "Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


EXCEPTION_LINE = re.compile(r"\b([A-Za-z_][\w.]*(?:Error|Exception)): ([^\"\\\n]{1,300})")


def _last_exception(path: Path) -> str | None:
    """The last ``SomeError: message`` in a server log (plain or JSON tracebacks), or None."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    matches = EXCEPTION_LINE.findall(text[-200_000:].replace("\\n", "\n"))  # JSON logs escape newlines
    return f"{matches[-1][0]}: {matches[-1][1].strip()}" if matches else None


def _failure_detail(path: Path) -> str:
    exception = _last_exception(path)
    summary = f"last exception in the log: {exception}\n" if exception else ""
    return summary + _log_tail(path)


def _log_tail(path: Path, lines: int = 6, width: int = 400) -> str:
    """The log's last lines, each cut to ``width`` characters (JSON tracebacks are one long line)."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    tail = [line if len(line) <= width else line[:width] + " ..." for line in text[-lines:]]
    return "\n".join(tail) + f"\n(full log: {path})" if tail else "(empty log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's process group (its workers too), then kill it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def process_group_cpu_seconds(pgid: int) -> float | None:
    """User + system CPU seconds used so far by the live processes of group ``pgid`` (Linux /proc).

    None where /proc is not available. A server's workers share its process group, so this is the
    whole server's CPU time, whatever else runs on the machine.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Served:
    """A running server: where it listens and its process group (the server and its workers)."""

    port: int
    pgid: int

    def cpu_seconds(self) -> float | None:
        return process_group_cpu_seconds(self.pgid)


@contextlib.contextmanager
def serving(
    spec: ServerSpec, *, name: str, ready_path: str, host: str, headers: Mapping[str, str] | None = None
) -> Iterator[Served]:
    """Start ``spec`` on a free port, wait until ``ready_path`` answers 200, yield it, then stop it.

    ``headers`` (an ``Authorization``, say) go with every readiness probe.
    The server's output goes to ``results/logs/<name>.log`` (read when it fails to start).
    """
    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOGS_DIR / f"{name}.log"
    port = free_port()
    env = {**os.environ, **spec.env, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            spec.argv(port), cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_ready(process, port, ready_path, host, log_path, headers)
            yield Served(port=port, pgid=process.pid)
        finally:
            _stop(process)


def _wait_ready(
    process: subprocess.Popen[bytes],
    port: int,
    path: str,
    host: str,
    log_path: Path,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Wait until ``path`` answers 200: up to READY_TIMEOUT_SECONDS for the server to answer at all,
    and up to WRONG_ANSWER_SECONDS once it answers something else (a broken app does not heal)."""
    started = time.monotonic()
    first_wrong: float | None = None
    last = "no answer"
    while time.monotonic() - started < READY_TIMEOUT_SECONDS:
        if process.poll() is not None:
            raise BenchError(f"server exited with status {process.returncode}:\n{_failure_detail(log_path)}")
        try:
            status, body = http_get(port, path, host, headers=headers)
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status == 200:
                return
            last = f"HTTP {status}: {body[:120]!r}"
            first_wrong = first_wrong or time.monotonic()
            if time.monotonic() - first_wrong > WRONG_ANSWER_SECONDS:
                break
        time.sleep(0.1)
    waited = time.monotonic() - started
    raise BenchError(f"{path} not ready after {waited:.0f}s ({last}):\n{_failure_detail(log_path)}")


# --- Load ----------------------------------------------------------------------------------------


def run_load(
    port: int,
    path: str,
    *,
    host: str,
    seconds: float,
    connections: int,
    tool: str,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
) -> LoadResult:
    """Drive ``http://127.0.0.1:<port><path>`` with ``connections`` keep-alive clients for ``seconds``,
    sending ``headers`` besides ``Host`` with every request."""
    url = f"http://{LOOPBACK}:{port}{path}"
    extra = [f"{name}: {value}" for name, value in (headers or {}).items()]
    if tool == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_REPORT_LUA)
        try:
            argv = [
                "wrk", "--threads", "1", "--connections", str(connections), "--duration", f"{max(1, round(seconds))}s",
                "--timeout", f"{timeout:.0f}s", "--header", f"Host: {host}", "--script", script.name, url,
            ]  # fmt: skip
            argv[-1:-1] = [arg for header in extra for arg in ("--header", header)]
            output = _run_tool(argv, seconds + timeout + 15)
        finally:
            os.unlink(script.name)
    else:
        argv = [
            sys.executable, "-m", "tests.bench.loadgen", url, "--host", host, "--connections", str(connections),
            "--duration", str(seconds), "--timeout", str(timeout),
        ]  # fmt: skip
        argv += [arg for header in extra for arg in ("--header", header)]
        output = _run_tool(argv, seconds + timeout + 15)
    for line in output.splitlines():
        if line.startswith(JSON_MARKER):
            data = json.loads(line[len(JSON_MARKER) :])
            return LoadResult(**data)
    raise BenchError(f"{argv[0]} printed no result:\n{output[-2000:]}")


def _run_tool(argv: Sequence[str], timeout: float) -> str:
    try:
        done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{argv[0]} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise BenchError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


class PeakSampler:
    """Calls ``probe`` every ``SAMPLE_INTERVAL_SECONDS`` on a thread of its own and keeps the peak.

    With no probe it does nothing. The thread stops when the ``with`` block ends; a probe that fails
    ends the sampling (the peak so far is kept).
    """

    SAMPLE_INTERVAL_SECONDS = 0.25

    def __init__(self, probe: Callable[[], int] | None) -> None:
        self.probe = probe
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        assert self.probe is not None
        while not self._stop.is_set():
            try:
                value = self.probe()
            except Exception as exc:  # noqa: BLE001 - sampling is best effort, the load goes on
                progress(f"  (sampling stopped: {type(exc).__name__}: {exc})")
                return
            self.peak = value if self.peak is None else max(self.peak, value)
            self._stop.wait(self.SAMPLE_INTERVAL_SECONDS)

    def __enter__(self) -> PeakSampler:
        if self.probe is not None:
            self._thread = threading.Thread(target=self._sample, name="bench-sampler", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


# --- The run -------------------------------------------------------------------------------------


@dataclass
class BenchRun:
    """State shared by the benchmark modules of one run: configuration, results, comparisons."""

    config: BenchConfig
    measurements: list[Measurement] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)
    state: dict[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return self.config.load_tool()

    def on_exit(self, cleanup: Callable[[], None]) -> None:
        """Run ``cleanup`` when the run ends, even when it fails (last registered, first run)."""
        self.cleanups.append(cleanup)

    def close(self) -> None:
        while self.cleanups:
            cleanup = self.cleanups.pop()
            try:
                cleanup()
            except Exception as exc:  # noqa: BLE001 - report, and still run the other cleanups
                progress(f"cleanup failed: {type(exc).__name__}: {exc}")

    def get(self, key: str) -> Measurement | None:
        return next((m for m in self.measurements if m.key == key), None)

    def record(self, measurement: Measurement) -> Measurement:
        self.measurements.append(measurement)
        m = measurement
        extra = ""
        if m.p95_ms is not None:
            extra += f", p50 {m.p50_ms:.2f} ms, p95 {m.p95_ms:.2f} ms"
        if m.errors:
            extra += f", {m.errors} errors"
        if m.cpu_ms is not None:
            extra += f", {m.cpu_ms:.3f} cpu ms/request"
        if m.detail.get("peak_db_connections") is not None:
            extra += f", peak {m.detail['peak_db_connections']} db connections"
        progress(f"  {m.label} [{m.server}]: {m.rate:,.0f} {m.unit}{extra}")
        return measurement

    def measure_http(
        self,
        spec: ServerSpec,
        *,
        key: str,
        group: str,
        label: str,
        path: str,
        host: str = "localhost",
        detail: Mapping[str, Any] | None = None,
        db_connections: Callable[[], int] | None = None,
        headers: Mapping[str, str] | None = None,
        connections: int | None = None,
    ) -> Measurement:
        """Serve ``spec``, warm it up, load it for the configured time and record the result.

        With ``db_connections`` (a counter of the database's open connections), its peak during the
        measured load is recorded too. ``headers`` go with every request (readiness probes included);
        ``connections`` replaces ``--connections`` for a line whose goal is set at a given concurrency.
        """
        connections, tool = connections or self.config.connections, self.tool
        windows: list[tuple[LoadResult, float | None]] = []
        load = {"host": host, "connections": connections, "tool": tool, "headers": headers}
        with serving(spec, name=key, ready_path=path, host=host, headers=headers) as server:
            if self.config.warmup > 0:
                run_load(server.port, path, seconds=self.config.warmup, **load)
            with PeakSampler(db_connections) as sampler:
                for _ in range(self.config.repeat):
                    cpu_before = server.cpu_seconds()
                    window = run_load(server.port, path, seconds=self.config.duration, **load)
                    cpu_after = server.cpu_seconds()
                    cpu_ms = None
                    if cpu_before is not None and cpu_after is not None and window.requests:
                        cpu_ms = (cpu_after - cpu_before) * 1000 / window.requests
                    windows.append((window, cpu_ms))
            peak = sampler.peak
        # With --repeat, the window with the median rate stands for the line; all rates go to the JSON.
        result, cpu_ms_per_request = sorted(windows, key=lambda w: w[0].rate)[len(windows) // 2]
        if result.requests == 0:
            raise BenchError(f"{label}: no request completed")
        return self.record(
            Measurement(
                key=key,
                group=group,
                label=label,
                server=spec.description,
                unit="req/s",
                rate=result.rate,
                p50_ms=result.p50_ms,
                p95_ms=result.p95_ms,
                cpu_ms=cpu_ms_per_request,
                count=result.requests,
                errors=result.errors + result.status_errors,
                seconds=result.duration_s,
                detail={
                    "p99_ms": result.p99_ms,
                    "max_ms": result.max_ms,
                    "path": path,
                    "app": spec.app,
                    "responses": result.requests,
                    "error_responses": result.status_errors,
                    "socket_errors": result.errors,
                    "peak_db_connections": peak,
                    "connections": connections,
                    "window_rates": [round(w.rate, 1) for w, _ in windows],
                    "window_cpu_ms_per_request": [round(c, 3) if c is not None else None for _, c in windows],
                    **(detail or {}),
                },
            )
        )

    def compare(self, subject: str, baseline: str, label: str) -> Comparison | None:
        """Record ``subject`` / ``baseline``; skipped (None) when either was not measured."""
        first, second = self.get(subject), self.get(baseline)
        if first is None or second is None or second.rate == 0:
            return None
        p95 = first.p95_ms / second.p95_ms if first.p95_ms is not None and second.p95_ms else None
        cpu = first.cpu_ms / second.cpu_ms if first.cpu_ms is not None and second.cpu_ms else None
        comparison = Comparison(subject, baseline, label, first.rate / second.rate, p95, cpu)
        self.comparisons.append(comparison)
        return comparison

    # --- Output

    def table(self) -> str:
        lines = [
            f"MonoPod benchmarks, {time.strftime('%Y-%m-%d %H:%M', time.localtime(self.started_at))}, "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
            f"load: {self.tool}, {self.config.connections} keep-alive connections, "
            f"{self.config.warmup:g}s warm-up + {self.config.repeat} x {self.config.duration:g}s per line"
            f"{' (median window)' if self.config.repeat > 1 else ''}, 127.0.0.1",
            "rate: successful responses (or rows) per second; cpu ms: the server's CPU time per request, all its "
            "processes",
            "",
        ]
        header = (
            f"{'benchmark':<40} {'server':<20} {'rate':>9} {'unit':<6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}"
            f" {'db conns':>8} {'cpu ms':>7}"
        )
        for group in dict.fromkeys(m.group for m in self.measurements):
            lines += [f"== {group}", header, "-" * len(header)]
            for m in (m for m in self.measurements if m.group == group):
                peak = m.detail.get("peak_db_connections")
                lines.append(
                    f"{m.label:<40} {m.server:<20} {m.rate:>9,.0f} {m.unit:<6} {_cell(m.p50_ms, 7)} "
                    f"{_cell(m.p95_ms, 7)} {m.errors:>6} {_cell(peak, 8, '')} {_cell(m.cpu_ms, 7, '.3f')}"
                )
            lines.append("")
        if self.comparisons:
            header = f"{'ratio (same run)':<86} {'rate':>7} {'p95':>7} {'cpu ms':>7}"
            title = "== ratios: rate < 1, p95 > 1 or cpu ms > 1 mean the subject is slower"
            lines += [title, header, "-" * len(header)]
            for c in self.comparisons:
                lines.append(f"{c.label:<86} {c.rate_ratio:7.2f} {_cell(c.p95_ratio, 7)} {_cell(c.cpu_ratio, 7)}")
            lines.append("")
        for failure in self.failures:
            lines.append(f"FAILED {failure.module}: {failure.message}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started_at)),
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform},
            "config": {**asdict(self.config), "load_tool": self.tool},
            "measurements": [asdict(m) for m in self.measurements],
            "comparisons": [asdict(c) for c in self.comparisons],
            "failures": [asdict(f) for f in self.failures],
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")


def _cell(value: float | None, width: int, spec: str = ".2f") -> str:
    return f"{value:>{width}{spec}}" if value is not None else f"{'-':>{width}}"


def progress(message: str) -> None:
    """A progress line on stderr; the table goes to stdout."""
    print(message, file=sys.stderr, flush=True)
