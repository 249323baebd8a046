"""Users sign in with their e-mail address; each tenant schema has its own users and API keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to one tenant (or, in the public schema, a platform operator)."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("is staff"), default=False, help_text=_("May sign in to the admin console."))
    is_active = models.BooleanField(_("is active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="identity_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


SCOPE_PATTERN = r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$"
validate_scope = RegexValidator(SCOPE_PATTERN, 'A scope is "<module>:<action>" in lower case, such as "ims:read".')


class ApiKeyManager(APIKeyManager):
    def get_usable_keys(self) -> models.QuerySet[ApiKey]:
        # The key's user is needed by every lookup: one query for both.
        return super().get_usable_keys().select_related("user")


class ApiKey(AbstractAPIKey):
    """A scoped key an integration sends as ``Authorization: Api-Key <key>``; only its hash is stored.

    The key acts as ``user``, and only on endpoints whose required scopes it holds.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("user"),
        help_text=_("The user the key acts as."),
    )
    scopes = ArrayField(
        models.CharField(max_length=64, validators=[validate_scope]),
        default=list,
        blank=True,
        verbose_name=_("scopes"),
        help_text=_('What the key may do, comma-separated, such as "ims:read,crm:write".'),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects: ClassVar[ApiKeyManager] = ApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")  # type: ignore[assignment]  # the stubs say str; a lazy string is what Django takes
        verbose_name_plural = _("API keys")  # type: ignore[assignment]

    def has_scopes(self, scopes: Iterable[str]) -> bool:
        return set(scopes) <= set(self.scopes)
