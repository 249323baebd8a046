"""Why an inventory operation was refused; interfaces turn these into 400s and form errors."""

from __future__ import annotations


class StockError(Exception):
    """A stock movement or a purchase order change was refused."""

    code = "stock_error"


class InvalidMovement(StockError):
    """The movement is malformed: zero quantity, wrong sign for its kind, missing reason or warehouse."""

    code = "invalid_movement"


class InsufficientStock(StockError):
    """The movement would take available (or reserved) stock below zero."""

    code = "insufficient_stock"


class TransitionNotAllowed(StockError):
    """The purchase order's status does not allow this step."""

    code = "transition_not_allowed"


class InvalidPurchaseOrder(StockError):
    """The purchase order is malformed: no lines, a line without product or with a quantity not above zero."""

    code = "invalid_purchase_order"
