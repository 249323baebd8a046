from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImsConfig(AppConfig):
    name = "apps.ims"
    label = "ims"
    verbose_name = _("Inventory")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.ims import navigation

        navigation.register()
