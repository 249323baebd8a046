"""Signup to first authenticated request, by each provisioning path: warm pool, template clone, migrations.

The work happens in ``tests/bench/signup_worker.py``, a process of its own on the bench database
(``monopod.settings.development`` with a per-process cache and an in-memory broker:
``tests/bench/apps/signup_settings.py``). For each path it times ``tenant_provision(...)`` for a new
tenant, then the first authenticated request on the tenant's host (``POST /api/v1/auth/token/`` with the
admin's e-mail and password, then ``GET /api/v1/auth/me/`` with the access token) through Django's
test client. One line per path for the whole signup (rate: signups per second, one at a time; p50/p95 of
signup + first request) and one for ``tenant_provision`` alone; ``detail`` holds the provision-only and
first-request-only medians, each provisioning step's median, the queries sent and what hashing one
password costs.

The goal: the warm pool at least 10x faster than migrations, with a median under 300 ms.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from tests.bench import benchdb
from tests.bench.harness import BenchError, BenchRun, Measurement, progress
from tests.bench.tenants_worker import run_worker

TITLE = "signup"
GROUP = "signup: tenant_provision + first authenticated request (token, me)"
SERVER = "in-process, 1 at a time"
UNIT = "t/min"  # tenants signed up per minute, one after another (the table prints whole numbers)

ITERATIONS = {"pool": 10, "clone": 10, "migrate": 3}
MAX_SECONDS_PER_PATH = 60.0
WORKER_TIMEOUT_SECONDS = 600.0
CLEANUP_TIMEOUT_SECONDS = 180.0
GOAL_SPEEDUP = 10.0
GOAL_MEDIAN_MS = 300.0

NAMES = {"pool": "warm pool", "clone": "template clone", "migrate": "migrations"}
PARTS = ("signup", "provision", "provision_unhashed")


def key(path: str, part: str = "signup") -> str:
    return f"signup.{path}.{part}"


def percentile_ms(seconds: Sequence[float], fraction: float) -> float:
    ordered = sorted(seconds)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index] * 1000


def median_ms(values: Sequence[float]) -> float:
    return statistics.median(values) * 1000


def step_medians_ms(results: Sequence[dict[str, Any]]) -> dict[str, float]:
    labels = sorted({label for r in results for label in r["steps"]})
    return {label: round(median_ms([r["steps"].get(label, 0.0) for r in results]), 2) for label in labels}


def record_path(bench: BenchRun, path: str, results: list[dict[str, Any]], hashing: dict[str, Any]) -> None:
    def hashed(r: dict[str, Any], step: str) -> float:
        return float(r["steps"].get(step, 0.0))

    series = {
        "signup": [r["total_s"] for r in results],
        "provision": [r["provision_s"] for r in results],
        "provision_unhashed": [r["provision_s"] - hashed(r, "password.hash") for r in results],
    }
    firsts = [r["first_request_s"] for r in results]
    detail = {
        "signups_per_second": len(results) / sum(series["signup"]),
        "provision_p50_ms": median_ms(series["provision"]),
        "provision_without_password_hash_p50_ms": median_ms(series["provision_unhashed"]),
        "first_request_p50_ms": median_ms(firsts),
        "first_request_without_password_check_p50_ms": median_ms(
            [r["first_request_s"] - hashed(r, "password.check") for r in results]
        ),
        "token_p50_ms": median_ms([r["token_s"] for r in results]),
        "me_p50_ms": median_ms([r["me_s"] for r in results]),
        "steps_p50_ms": step_medians_ms(results),
        "provision_queries_p50": statistics.median(r["provision_queries"] for r in results),
        "provision_query_p50_ms": median_ms([r["provision_query_s"] for r in results]),
        "request_queries_p50": statistics.median(r["request_queries"] for r in results),
        "password_hash_ms": hashing["hash_s"] * 1000,
        "password_check_ms": hashing["check_s"] * 1000,
        "password_hasher": hashing["hasher"],
        "all_signup_ms": [round(t * 1000, 1) for t in series["signup"]],
    }
    labels = {
        "signup": f"signup + first request, {NAMES[path]}",
        "provision": f"tenant_provision, {NAMES[path]}",
        "provision_unhashed": f"provision w/o pw hash, {NAMES[path]}",
    }
    for part in PARTS:
        seconds = series[part]
        bench.record(
            Measurement(
                key=key(path, part),
                group=GROUP,
                label=labels[part],
                server=SERVER,
                unit=UNIT,
                rate=len(seconds) * 60 / sum(seconds),
                p50_ms=median_ms(seconds),
                p95_ms=percentile_ms(seconds, 0.95),
                cpu_ms=median_ms([r["cpu_s"] for r in results]) if part == "signup" else None,
                count=len(seconds),
                seconds=sum(seconds),
                detail=detail if part == "signup" else {"p50_ms": median_ms(seconds)},
            )
        )
    steps = ", ".join(f"{label} {ms:.0f}" for label, ms in detail["steps_p50_ms"].items())
    progress(
        f"  {path} p50 ms: provision {detail['provision_p50_ms']:.0f}, first request "
        f"{detail['first_request_p50_ms']:.0f} (token {detail['token_p50_ms']:.0f}, me {detail['me_p50_ms']:.0f}); "
        f"steps: {steps}; queries: {detail['provision_queries_p50']:.0f} provisioning, "
        f"{detail['request_queries_p50']:.0f} first request"
    )


def verdict(bench: BenchRun, subject: str, baseline: str) -> str:
    first, second = bench.get(subject), bench.get(baseline)
    if first is None or second is None or first.p50_ms is None:
        return "not measured"
    speedup = first.rate / second.rate
    met = speedup >= GOAL_SPEEDUP and first.p50_ms < GOAL_MEDIAN_MS
    return f"{'met' if met else 'NOT met'}: {speedup:.1f}x, {first.p50_ms:.0f} ms"


def cleanup(env: dict[str, str]) -> None:
    """Delete the signups a failed or stopped worker left behind (reported, never raised)."""
    try:
        done, _ = run_worker(
            ["-m", "tests.bench.signup_worker", "--cleanup-only"],
            database_env=env,
            name="signup.cleanup",
            timeout=CLEANUP_TIMEOUT_SECONDS,
        )
    except BenchError as exc:
        progress(f"  signup cleanup failed: {exc}")
    else:
        progress(f"  signup cleanup: deleted {done.get('deleted')} tenants")


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    env = database.server_env()
    argv = ["-m", "tests.bench.signup_worker", "--max-seconds", str(MAX_SECONDS_PER_PATH)]
    for path, iterations in ITERATIONS.items():
        argv += [f"--{path}", str(iterations)]
    progress(f"  signups: {ITERATIONS} (the worker's log: results/logs/signup.worker.log)")
    finished = False
    try:
        result, seconds = run_worker(argv, database_env=env, name="signup.worker", timeout=WORKER_TIMEOUT_SECONDS)
        finished = True
    finally:
        if not finished:  # the worker may have been stopped before its own cleanup
            cleanup(env)
    progress(
        f"  worker: {seconds:.0f}s; deleted {result.get('deleted')} tenants; template restored in "
        f"{result.get('template_restore_s', 0):.1f}s; password hash {result['hashing']['hash_s'] * 1000:.0f} ms, "
        f"check {result['hashing']['check_s'] * 1000:.0f} ms ({result['hashing']['hasher']})"
    )
    paths: dict[str, list[dict[str, Any]]] = result.get("paths", {})
    if not paths:
        raise BenchError("the signup worker measured nothing")
    for path in ("pool", "clone", "migrate"):
        if paths.get(path):
            record_path(bench, path, paths[path], result["hashing"])

    verdicts = {part: verdict(bench, key("pool", part), key("migrate", part)) for part in PARTS}
    progress(f"  goal: warm pool >= {GOAL_SPEEDUP:.0f}x faster than migrations, p50 < {GOAL_MEDIAN_MS:.0f} ms")
    names = {"signup": "signup", "provision": "provision", "provision_unhashed": "provision w/o hash"}
    for part in PARTS:
        goal = f" (goal >=10x, p50 <300 ms: {verdicts[part]})"
        bench.compare(key("pool", part), key("migrate", part), f"{names[part]}: pool vs migrate{goal}")
        bench.compare(key("clone", part), key("migrate", part), f"{names[part]}: clone vs migrate")
        bench.compare(key("pool", part), key("clone", part), f"{names[part]}: pool vs clone")
