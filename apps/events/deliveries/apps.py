from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveriesConfig(AppConfig):
    name = "apps.events.deliveries"
    label = "event_deliveries"
    verbose_name = _("Event deliveries")
    default_auto_field = "django.db.models.BigAutoField"
