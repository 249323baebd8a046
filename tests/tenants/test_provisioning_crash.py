"""A provisioning process killed (SIGKILL) after the schema exists and before the admin user is made
is finished by running it again, and the tenant becomes active exactly once."""

from __future__ import annotations

import pytest

from tests.tenants.committed import run_manage

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

KILLED_AFTER_SCHEMA = """
import os, signal, django
django.setup()
from apps.tenants import provisioning
provisioning._ensure_admin = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
provisioning.tenant_provision(slug="crashco", name="Crash Co", region="eu",
                              admin_email="boss@crashco.test", admin_password="pw-1234567890")
"""
CREATE = (
    "create_tenant",
    "--slug",
    "crashco",
    "--name",
    "Crash Co",
    "--region",
    "eu",
    "--admin-email",
    "boss@crashco.test",
    "--admin-password",
    "pw-1234567890",
)


def test_killed_provisioning_is_finished_by_running_it_again(committed):
    conn, made = committed
    made.append("crashco")

    killed = run_manage(python=KILLED_AFTER_SCHEMA)

    assert killed.returncode == -9
    assert conn.execute("SELECT status FROM public.tenants_tenant WHERE slug = 'crashco'").fetchone() == (
        "provisioning",
    )
    assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'crashco'").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM crashco.identity_user").fetchone() == (0,)

    finished = run_manage(*CREATE)
    again = run_manage(*CREATE)

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "Tenant crashco created (resumed): https://crashco.localhost/admin/login/\n"
    assert again.returncode == 1
    assert again.stderr.strip().endswith("--slug: This name is already taken.")
    assert conn.execute("SELECT status FROM public.tenants_tenant WHERE slug = 'crashco'").fetchone() == ("active",)
    assert conn.execute("SELECT email, is_superuser FROM crashco.identity_user").fetchall() == [
        ("boss@crashco.test", True)
    ]
