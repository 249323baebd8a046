from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "apps.tenants"
    label = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from apps.tenants import receivers  # noqa: F401 - connects the tenant cache invalidation
