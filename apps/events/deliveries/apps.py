from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    name = "apps.events.deliveries"
    label = "event_deliveries"
    verbose_name = "Event deliveries"
    default_auto_field = "django.db.models.BigAutoField"
