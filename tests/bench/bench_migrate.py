"""``migrate_schemas`` on a fleet of 50 tenants that are all up to date, against django-tenants' own command.

Setup, not timed: tenants ``bench-t01`` to ``bench-t50`` in the bench database, made once by the
provisioning service (template clone) and kept for later runs. Then, with ``monopod.settings.development``
on the bench database:

* ``python manage.py migrate_schemas`` (MonoPod's command: the shared schema, then every tenant, the
  template and the warm pool, skipping schemas already at the latest migration), as a process, timed
  from start to exit; run ``RUNS`` times, the median kept;
* the same command in a process of its own, timed around the command alone (Django already set up);
* django-tenants' own ``MigrateSchemasCommand`` (which MonoPod's falls back to with ``--schema`` or an
  app label), called the same way on the same tenants: the baseline; once, it takes longer.

Rates are tenants per second (every tenant row but the public one); the label gives seconds per tenant.
The goal: under 0.1 s per tenant for ``manage.py migrate_schemas`` when nothing is to migrate.
"""

from __future__ import annotations

import statistics

from tests.bench import benchdb
from tests.bench.harness import BenchRun, Measurement, progress
from tests.bench.tenants_worker import run_worker

TITLE = "migrate"
GROUP = "migrate: migrate_schemas, every tenant up to date"
SETTINGS = "monopod.settings.development"
PREFIX = "bench-t"
TENANTS = 50
RUNS = 3
UNIT = "tnt/s"
GOAL_SECONDS_PER_TENANT = 0.1
ENSURE_TIMEOUT_SECONDS = 900
MIGRATE_TIMEOUT_SECONDS = 600

MANAGE = "migrate.monopod.manage"
MONOPOD = "migrate.monopod.command"
DJANGO_TENANTS = "migrate.django_tenants.command"
DJANGO_TENANTS_PROCESS = "migrate.django_tenants.process"


def run(bench: BenchRun) -> None:
    database = benchdb.for_run(bench)
    env = database.server_env()
    progress(f"  tenants {PREFIX}01..{PREFIX}{TENANTS}: making those missing (not timed)")
    made, seconds = run_worker(
        ["-m", "tests.bench.tenants_worker", "ensure", "--prefix", PREFIX, "--count", str(TENANTS)],
        database_env=env,
        name="migrate.ensure",
        timeout=ENSURE_TIMEOUT_SECONDS,
    )
    progress(f"  {made['made']} made, {made['existing']} reused ({seconds:.1f}s)")

    def in_process(command: str) -> tuple[dict[str, float], float]:
        return run_worker(
            ["-m", "tests.bench.tenants_worker", "migrate", "--command", command],
            database_env=env,
            name=f"migrate.{command}",
            timeout=MIGRATE_TIMEOUT_SECONDS,
            settings=SETTINGS,
        )

    # Once untimed, so that every timed run finds everything up to date (and the files are cached).
    warm, _ = in_process("monopod")
    tenants = int(warm["tenants"])
    pooled = int(warm["pooled"])
    walls = []
    for number in range(RUNS):
        _, wall = run_worker(
            ["manage.py", "migrate_schemas", "--verbosity", "1"],
            database_env=env,
            name=f"migrate.manage.{number + 1}",
            timeout=MIGRATE_TIMEOUT_SECONDS,
            settings=SETTINGS,
            expect_json=False,
        )
        walls.append(wall)
    monopod, monopod_wall = in_process("monopod")
    baseline, baseline_wall = in_process("django-tenants")

    detail = {"tenants": tenants, "template_and_pool": 1 + pooled, "settings": SETTINGS}
    median_wall = statistics.median(walls)
    lines = [
        (MANAGE, "MonoPod: manage.py migrate_schemas", "process, wall", median_wall),
        (MONOPOD, "MonoPod: migrate_schemas command", "command only", monopod["seconds"]),
        (DJANGO_TENANTS, "django-tenants: MigrateSchemasCommand", "command only", baseline["seconds"]),
        (DJANGO_TENANTS_PROCESS, "django-tenants: MigrateSchemasCommand", "process, wall", baseline_wall),
    ]
    for key, label, server, seconds in lines:
        extra = {"all_runs_s": [round(w, 3) for w in walls]} if key == MANAGE else {}
        bench.record(
            Measurement(
                key=key,
                group=GROUP,
                label=label,
                server=server,
                unit=UNIT,
                rate=tenants / seconds,
                count=tenants,
                seconds=seconds,
                detail={**detail, **extra, "seconds": seconds, "seconds_per_tenant": seconds / tenants},
            )
        )
        progress(f"    {label} [{server}]: {seconds:.2f}s, {seconds / tenants:.3f} s/tenant")
    progress(f"  MonoPod's command in its own process: {monopod_wall:.2f}s start to exit")

    per_tenant = median_wall / tenants
    met = "met" if per_tenant < GOAL_SECONDS_PER_TENANT else "NOT met"
    bench.compare(
        MANAGE,
        DJANGO_TENANTS_PROCESS,
        f"manage.py migrate_schemas vs django-tenants' (<0.1 s/tenant: {met}, {per_tenant:.3f})",
    )
    bench.compare(MONOPOD, DJANGO_TENANTS, "migrate_schemas, command only: MonoPod vs django-tenants'")
