"""Forms of the public site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.tenants.choices import REGION_CHOICES
from apps.tenants.signup import clean_password, clean_slug
from apps.tenants.slugs import MAX_LENGTH


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    slug = forms.CharField(
        label=_("Address"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; your site will be <address>.%(domain)s"),
    )
    region = forms.ChoiceField(label=_("Region"), choices=REGION_CHOICES, initial="global")
    admin_email = forms.EmailField(label=_("Your e-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, base_domain: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = str(self.fields["slug"].help_text) % {"domain": base_domain}
        self.fields["slug"].widget.attrs.update({"pattern": "[a-z][a-z0-9-]+", "maxlength": MAX_LENGTH})

    def clean_slug(self) -> str:
        return clean_slug(self.cleaned_data["slug"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("admin_email"):
            try:
                clean_password(cleaned["password"], email=cleaned["admin_email"])
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
