"""The Celery application: every task carries the tenant it was sent from (tenant-schemas-celery)."""

import logging
import os
from pathlib import Path
from typing import Any

from celery.exceptions import Ignore
from django.db import connection
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

import monopod.observability  # noqa: F401 - connects the signals that carry the trace id to tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")

# Folders of the filesystem transport, used when no broker is configured.
QUEUE_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "control_folder")
logger = logging.getLogger(__name__)


class _SchemaTenants:
    """tenant-schemas-celery's cache of schema name to tenant, kept as the host lookups are
    (monopod.tenancy): ``TENANT_CACHE_SECONDS``, emptied by any change to a tenant in this process.
    Without it every task began with a query for its tenant."""

    def get(self, key: str, default: Any) -> Any:
        from monopod.tenancy import schema_tenant_cache  # needs Django set up; this module is imported first

        found = schema_tenant_cache.get(key)
        return default if found is None else found

    def set(self, key: str, value: Any, expire_seconds: int) -> None:
        from monopod.tenancy import schema_tenant_cache

        schema_tenant_cache.put(key, value)


class MonoPodTask(TenantTask):
    """A task run in its tenant's schema, and not at all while that tenant is not serving (as known
    within ``TENANT_CACHE_SECONDS``, like a request's)."""

    abstract = True

    @classmethod
    def tenant_cache(cls) -> Any:
        return _SchemaTenants()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tenant = getattr(connection, "tenant", None)
        if tenant is not None and hasattr(tenant, "is_serving") and not tenant.is_serving():
            logger.warning("task %s skipped: tenant %s is %s", self.name, tenant.schema_name, tenant.status)
            raise Ignore()
        return super().__call__(*args, **kwargs)


app = CeleryApp("monopod", task_cls=MonoPodTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_folders() -> list[Path]:
    options = app.conf.broker_transport_options or {}
    return [Path(options[key]) for key in QUEUE_FOLDER_OPTIONS if options.get(key)]


@app.on_after_configure.connect
def create_queue_folders(sender: Any, **kwargs: Any) -> None:
    for folder in queue_folders():
        folder.mkdir(parents=True, exist_ok=True)
