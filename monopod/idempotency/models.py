"""What the API remembers between requests: the first response to each idempotency key."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first successful response to a POST sent with ``Idempotency-Key``, replayed for repeats.

    Keys belong to a principal (a user, or an API key): two clients never share one. The row is
    written in the transaction of the request's own effects, so a key is taken exactly when they
    are committed.
    """

    principal = models.CharField(_("principal"), max_length=255)
    key = models.CharField(_("key"), max_length=255)
    # A digest of the method, path and body: a key sent again with another request is refused.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.JSONField(_("response body"), null=True, encoder=DjangoJSONEncoder)
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_principal_key")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
