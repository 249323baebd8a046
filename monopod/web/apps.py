from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "monopod.web"
    label = "web"
    verbose_name = _("Web UI")

    def ready(self) -> None:
        from monopod.web import dashboard

        dashboard.register_cards()
