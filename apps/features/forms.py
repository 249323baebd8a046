"""Forms of the features app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.features.regions import REGIONS

REGION_LABELS = {
    "global": _("Global"),
    "eu": _("European Union"),
    "gulf": _("Gulf states"),
    "africa": _("Africa"),
    "usa": _("United States"),
}


class OrganisationRegionForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"),
        choices=[(name, REGION_LABELS[name]) for name in REGIONS],
        help_text=_("Sets the default language, time zone, currency, taxes and compliance features."),
    )
