"""Admin forms for the e-mail based user model."""

from django.contrib.auth import forms as auth_forms

from apps.identity.models import User


class UserCreationForm(auth_forms.BaseUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"
