from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

RECENT_ENTRIES = 8


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from apps.audit import receivers
        from monopod.web.navigation import register_card

        receivers.connect()
        register_card(
            name="audit-recent",
            template_name="audit/_recent_card.html",
            order=50,
            condition=_may_read_trail,
            context=_recent_entries,
        )


def _may_read_trail(request: HttpRequest) -> bool:
    from apps.audit.permissions import is_tenant_admin

    return is_tenant_admin(request.user)


def _recent_entries(request: HttpRequest) -> dict[str, Any]:
    from apps.audit.selectors import audit_entry_list

    return {"entries": list(audit_entry_list().order_by("-seq")[:RECENT_ENTRIES])}
