"""One registry of the web UI's navigation entries and dashboard cards, filled by each app's ready().

An entry is shown to a user who holds its permission and whose request has its feature flag active;
an entry whose URL name is not served by the current URL configuration is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

Condition = Callable[[HttpRequest], bool]
CardContext = Callable[[HttpRequest], dict[str, Any]]


@dataclass(frozen=True)
class NavEntry:
    """A link in the shell's navigation."""

    label: str | Promise
    url_name: str
    icon: str = ""
    permission: str | None = None
    feature: str | None = None
    order: int = 100
    section: str | Promise | None = None
    condition: Condition | None = None


@dataclass(frozen=True)
class DashboardCard:
    """A card on the dashboard, rendered from ``template_name`` with ``context(request)`` added."""

    name: str
    template_name: str
    permission: str | None = None
    feature: str | None = None
    order: int = 100
    condition: Condition | None = None
    context: CardContext | None = None


@dataclass(frozen=True)
class ShownEntry:
    """A navigation entry as one request sees it: its URL resolved and whether it is the current page."""

    entry: NavEntry
    url: str
    active: bool = False

    @property
    def label(self) -> str | Promise:
        return self.entry.label

    @property
    def icon(self) -> str:
        return self.entry.icon


@dataclass(frozen=True)
class ShownSection:
    label: str | Promise | None
    entries: list[ShownEntry]


def feature_active(request: HttpRequest, feature: str | None) -> bool:
    """No flag: shown. A flag: shown only when the request's feature set says it is active."""
    if feature is None:
        return True
    features = getattr(request, "features", None)
    return features is not None and bool(features.is_active(feature))


def _allowed(request: HttpRequest, *, permission: str | None, feature: str | None, condition: Condition | None) -> bool:
    if permission is not None and not request.user.has_perm(permission):
        return False
    if not feature_active(request, feature):
        return False
    return condition is None or condition(request)


@dataclass
class Registry:
    """Every app's navigation entries and dashboard cards, in one place."""

    entries: list[NavEntry] = field(default_factory=list)
    cards: list[DashboardCard] = field(default_factory=list)

    def add_entry(self, entry: NavEntry) -> None:
        # ready() can run more than once in tests that reload apps: an entry is registered once.
        if all(known.url_name != entry.url_name for known in self.entries):
            self.entries.append(entry)

    def add_card(self, card: DashboardCard) -> None:
        if all(known.name != card.name for known in self.cards):
            self.cards.append(card)

    def entries_for(self, request: HttpRequest) -> list[ShownEntry]:
        """The entries the request's user may see, in order, the one of the current page marked active.

        The navigation is the staff's: visitors who have not signed in (or pages served before
        authentication, such as an unknown host's) get none.
        """
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        shown = []
        for entry in sorted(self.entries, key=lambda e: (e.order, str(e.label))):
            if not _allowed(request, permission=entry.permission, feature=entry.feature, condition=entry.condition):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            shown.append(ShownEntry(entry=entry, url=url))
        return _mark_active(shown, request.path)

    def sections_for(self, request: HttpRequest) -> list[ShownSection]:
        """The visible entries grouped by section, sections in the order of their first entry."""
        sections: dict[str, ShownSection] = {}
        for shown in self.entries_for(request):
            key = str(shown.entry.section or "")
            sections.setdefault(key, ShownSection(label=shown.entry.section, entries=[])).entries.append(shown)
        return list(sections.values())

    def cards_for(self, request: HttpRequest) -> list[DashboardCard]:
        """The dashboard cards the request's user may see, in order."""
        return [
            card
            for card in sorted(self.cards, key=lambda c: (c.order, c.name))
            if _allowed(request, permission=card.permission, feature=card.feature, condition=card.condition)
        ]


def _mark_active(shown: Iterable[ShownEntry], path: str) -> list[ShownEntry]:
    """The entry with the longest URL that the path starts with is the current one ("/" only on itself)."""
    entries = list(shown)
    matches = [e for e in entries if path == e.url or (e.url != "/" and path.startswith(e.url))]
    current = max(matches, key=lambda e: len(e.url), default=None)
    return [ShownEntry(entry=e.entry, url=e.url, active=e is current) for e in entries]


registry = Registry()


def register_entry(
    *,
    label: str | Promise,
    url_name: str,
    icon: str = "",
    permission: str | None = None,
    feature: str | None = None,
    order: int = 100,
    section: str | Promise | None = None,
    condition: Condition | None = None,
) -> NavEntry:
    """Add a navigation entry (call from an AppConfig.ready())."""
    entry = NavEntry(
        label=label,
        url_name=url_name,
        icon=icon,
        permission=permission,
        feature=feature,
        order=order,
        section=section,
        condition=condition,
    )
    registry.add_entry(entry)
    return entry


def register_card(
    *,
    name: str,
    template_name: str,
    permission: str | None = None,
    feature: str | None = None,
    order: int = 100,
    condition: Condition | None = None,
    context: CardContext | None = None,
) -> DashboardCard:
    """Add a dashboard card (call from an AppConfig.ready())."""
    card = DashboardCard(
        name=name,
        template_name=template_name,
        permission=permission,
        feature=feature,
        order=order,
        condition=condition,
        context=context,
    )
    registry.add_card(card)
    return card
