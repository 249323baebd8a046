"""Template tags of regions and flags: ``{% feature "name" %}...{% else %}...{% endfeature %}``,
``{{ amount|money }}``, ``{{ amount|money:"EUR" }}`` and ``{{ value|number:2 }}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token

from apps.features.formatting import money_format, number_format

register = template.Library()


class FeatureNode(template.Node):
    def __init__(self, name: template.base.FilterExpression, on: template.NodeList, off: template.NodeList) -> None:
        self.name = name
        self.on = on
        self.off = off

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        features = getattr(request, "features", None)
        active = features is not None and features.is_active(str(self.name.resolve(context)))
        return (self.on if active else self.off).render(context)


@register.tag("feature")
def feature(parser: Parser, token: Token) -> FeatureNode:
    """Render the block when the flag is on for the request's tenant, else the ``{% else %}`` part."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f'{bits[0]} takes one argument, the flag\'s name: {{% {bits[0]} "name" %}}')
    name = parser.compile_filter(bits[1])
    on = parser.parse(("else", "endfeature"))
    off = template.NodeList()
    if parser.next_token().contents == "else":
        off = parser.parse(("endfeature",))
        parser.delete_first_token()
    return FeatureNode(name, on, off)


@register.filter
def money(value: Any, currency: str | None = None) -> str:
    """An amount in the region's currency (or ``currency``), for the active language; blank if no number."""
    if value is None or value == "":
        return ""
    try:
        return money_format(value, currency=currency or None)
    except ValueError:
        return ""


@register.filter
def number(value: Any, decimals: int = 2) -> str:
    """A number grouped by thousands with ``decimals`` places, for the region and active language."""
    if value is None or value == "":
        return ""
    try:
        return number_format(value, decimals=int(decimals))
    except ValueError:
        return ""
