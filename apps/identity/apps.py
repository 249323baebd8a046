from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "apps.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.identity import caching, schema  # noqa: F401 - schema registers the OpenAPI extensions
        from apps.identity.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="identity.sync_roles_after_migrate")
        caching.connect()
