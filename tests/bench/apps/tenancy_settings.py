"""Settings of the tenancy benchmark's servers: ``monopod.settings.development`` and two more URLs.

``tests.bench.apps.tenancy_urls`` serves ``/bench/trivial`` (tenant resolution by host, then the view) and
``/health/bench-trivial`` (an operational path: no host lookup, the public URL conf) in front of
MonoPod's own URLs, on tenant and public hosts alike. ``BENCH_TENANT_CACHE_SECONDS`` overrides
``TENANT_CACHE_SECONDS`` (0: every request looks its host up).
"""

import os

from monopod.settings.development import *  # noqa: F403

ROOT_URLCONF = "tests.bench.apps.tenancy_urls"
PUBLIC_SCHEMA_URLCONF = "tests.bench.apps.tenancy_urls_public"
TENANT_CACHE_SECONDS = int(os.environ.get("BENCH_TENANT_CACHE_SECONDS", TENANT_CACHE_SECONDS))  # noqa: F405
