"""The Celery application: every task carries the tenant it was sent from (tenant-schemas-celery)."""

import os
from pathlib import Path
from typing import Any

from tenant_schemas_celery.app import CeleryApp

import monopod.observability  # noqa: F401 - connects the signals that carry the trace id to tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monopod.settings.development")

# Folders of the filesystem transport, used when no broker is configured.
QUEUE_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "control_folder")

app = CeleryApp("monopod")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def queue_folders() -> list[Path]:
    options = app.conf.broker_transport_options or {}
    return [Path(options[key]) for key in QUEUE_FOLDER_OPTIONS if options.get(key)]


@app.on_after_configure.connect
def create_queue_folders(sender: Any, **kwargs: Any) -> None:
    for folder in queue_folders():
        folder.mkdir(parents=True, exist_ok=True)
