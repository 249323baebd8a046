"""Keep every schema's roles in step with its permissions."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps

from apps.identity.roles import ensure_roles


def sync_roles_after_migrate(sender: AppConfig, app_config: AppConfig, **kwargs: Any) -> None:
    """After ``migrate`` (in whichever schema it ran), grant new permissions to the roles.

    ``post_migrate`` is sent once per app; permissions of every app exist by the last one.
    """
    if app_config is list(apps.get_app_configs())[-1]:
        ensure_roles()
