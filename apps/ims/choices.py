"""Choices of the inventory models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    UNIT = "unit", _("unit")
    KG = "kg", _("kg")
    G = "g", _("g")
    L = "l", _("l")
    ML = "ml", _("ml")
    M = "m", _("m")
    BOX = "box", _("box")
    PACK = "pack", _("pack")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")


# What a caller may ask movement_post for: a transfer becomes a transfer_out and a transfer_in row.
TRANSFER = "transfer"
POSTABLE_KINDS = (
    MovementKind.RECEIPT,
    MovementKind.ISSUE,
    TRANSFER,
    MovementKind.ADJUSTMENT,
    MovementKind.RESERVATION,
    MovementKind.RELEASE,
)
# Kinds that move reserved stock; the others move on-hand stock.
RESERVING_KINDS = frozenset({MovementKind.RESERVATION, MovementKind.RELEASE})


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
