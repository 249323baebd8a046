from django.apps import AppConfig


class FaultAppConfig(AppConfig):
    name = "tests.events.faultapp"
    label = "faultapp"
