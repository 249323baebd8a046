from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "monopod.web"
    label = "web"
    verbose_name = "Web UI"

    def ready(self) -> None:
        from monopod.web import dashboard

        dashboard.register_cards()
