"""Forms for the e-mail based user model: admin, staff invitations, allauth's password links."""

from allauth.account import forms as account_forms
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from apps.identity.accounts import email_verified_by_password_reset
from apps.identity.models import User
from apps.identity.roles import ROLE_DEFINITIONS


class UserCreationForm(auth_forms.BaseUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


class StaffInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.name, f"{role.name}: {role.description}") for role in ROLE_DEFINITIONS]
    )


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    """allauth's form behind a mailed password link (reset or invitation); the link proves the address."""

    def save(self) -> None:
        super().save()
        email_verified_by_password_reset(user=self.user)
