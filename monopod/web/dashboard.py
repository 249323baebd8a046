"""The tenant's home page: a dashboard of the cards each app registers, filtered for the user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from monopod.web.navigation import register_card, register_entry, registry


def dashboard(request: HttpRequest) -> HttpResponse:
    """Signed-in members see their cards; visitors are asked to sign in."""
    cards: list[dict[str, Any]] = []
    if request.user.is_authenticated:
        for card in registry.cards_for(request):
            extra = card.context(request) if card.context is not None else {}
            cards.append({"card": card, "template_name": card.template_name, "context": extra})
    context = {"tenant": request.tenant, "cards": cards}  # type: ignore[attr-defined]
    return TemplateResponse(request, "web/dashboard.html", context)


def register_cards() -> None:
    """The shell's own entry (the dashboard) and card (the organisation)."""
    register_entry(label=_("Dashboard"), url_name="tenant-home", icon="home", order=0)
    register_card(name="welcome", template_name="web/cards/welcome.html", order=0)
