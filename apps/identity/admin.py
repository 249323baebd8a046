from __future__ import annotations

from typing import Any, cast

import rest_framework_api_key.admin  # noqa: F401 - registers the library's model, unregistered below
from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey as LibraryApiKey

from apps.identity.accounts import staff_invite
from apps.identity.forms import StaffInvitationForm, UserChangeForm, UserCreationForm
from apps.identity.models import ApiKey, User
from apps.identity.services import api_key_issue, api_key_revoke

# The library's own APIKey model is unused (ApiKey replaces it): keep it out of the admin.
admin.site.unregister(LibraryApiKey)
# Every console signs in through allauth (its rate limits, verified addresses, TOTP): /admin/login/
# sends visitors to /accounts/login/ and lets signed-in staff through.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    add_form = UserCreationForm
    form = UserChangeForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_urls(self) -> list[URLPattern]:
        invite = path("invite/", self.admin_site.admin_view(self.invite_view), name="identity_user_invite")
        return [invite, *super().get_urls()]

    def invite_view(self, request: HttpRequest) -> HttpResponse:
        """Invite a member by e-mail with a role; for those who may add users (Admins)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffInvitationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user = staff_invite(**form.cleaned_data, invited_by=cast(User, request.user))
            except ValidationError as exc:
                form.add_error("email", exc)
            else:
                self.message_user(request, _("Invitation sent to %(email)s.") % {"email": user.email}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:identity_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Invite a member"),
        }
        return TemplateResponse(request, "account/staff_invite.html", context)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """API keys of this tenant; a new key is shown once, right after it is created."""

    list_display = ("prefix", "name", "user", "scopes", "created", "expiry_date", "last_used_at", "revoked")
    list_filter = ("revoked", "created")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__email")
    autocomplete_fields = ("user",)
    actions = ("revoke_selected",)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "user", "scopes", "expiry_date")
        return ("name", "prefix", "user", "scopes", "expiry_date", "revoked", "created", "last_used_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # A key keeps the user it was made for; a revoked key cannot change at all.
        readonly = ("prefix", "user", "created", "last_used_at")
        return (*readonly, "name", "scopes", "expiry_date", "revoked") if obj.revoked else readonly

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            obj.save()
            return
        raw_key = api_key_issue(api_key=obj)
        self.message_user(
            request,
            _("The API key “%(name)s” is %(key)s — copy it now: it will not be shown again.")
            % {"name": obj.name, "key": raw_key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected API keys"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, _("%(count)d API keys revoked.") % {"count": len(queryset)}, messages.SUCCESS)
