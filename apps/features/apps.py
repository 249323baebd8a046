from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeaturesConfig(AppConfig):
    name = "apps.features"
    label = "features"
    verbose_name = _("Features and regions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.audit.permissions import is_tenant_admin
        from apps.features import caching, checks, flags, receivers
        from apps.features.regions import region_bundles
        from monopod.web.navigation import register_entry

        # A broken bundle stops the process here, naming the file and the key.
        region_bundles()
        flags.register_platform_flags()
        checks.register()
        caching.connect()
        receivers.connect()
        register_entry(
            label=_("Organisation"),
            url_name="features:organisation",
            icon="settings",
            order=900,
            section=_("Settings"),
            condition=lambda request: is_tenant_admin(request.user),
        )
