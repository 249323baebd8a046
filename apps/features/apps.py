from django.apps import AppConfig


class FeaturesConfig(AppConfig):
    name = "apps.features"
    label = "features"
    verbose_name = "Features and regions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.features import caching, checks, flags, receivers
        from apps.features.regions import region_bundles

        # A broken bundle stops the process here, naming the file and the key.
        region_bundles()
        flags.register_platform_flags()
        checks.register()
        caching.connect()
        receivers.connect()
