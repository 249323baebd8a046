"""The inventory's web forms: they parse input; apps.ims.services does the writing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.ims.constants import PRODUCT_FIELDS
from apps.ims.models import Product, PurchaseOrder, Warehouse

# The kinds a person posts from the stock form; reservations and releases belong to orders.
FORM_KINDS = [
    ("adjustment", _("Adjustment (signed: +5 adds, -5 removes)")),
    ("receipt", _("Receipt")),
    ("issue", _("Issue")),
    ("transfer", _("Transfer to another warehouse")),
]


class ProductForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)


class StockMovementForm(forms.Form):
    """Adjust, receive, issue or transfer a product's stock in one warehouse."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(active=True))
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.filter(active=True))
    kind = forms.ChoiceField(label=_("Kind"), choices=FORM_KINDS, initial="adjustment")
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3)
    to_warehouse = forms.ModelChoiceField(
        label=_("To warehouse"), queryset=Warehouse.objects.filter(active=True), required=False
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        kind, to_warehouse = cleaned.get("kind"), cleaned.get("to_warehouse")
        if kind == "transfer" and to_warehouse is None:
            self.add_error("to_warehouse", _("A transfer needs the warehouse to move to."))
        elif kind == "transfer" and to_warehouse == cleaned.get("warehouse"):
            self.add_error("to_warehouse", _("Transfer to a different warehouse."))
        elif kind != "transfer" and to_warehouse is not None:
            self.add_error("to_warehouse", _("Only a transfer goes to another warehouse."))
        if kind == "adjustment" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("An adjustment needs a reason."))
        return cleaned


class ReceiveForm(forms.Form):
    """One quantity per line still outstanding on a purchase order, filled with what is outstanding."""

    def __init__(self, *args: Any, order: PurchaseOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = [line for line in order.lines.all() if line.outstanding > 0]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.product.sku} {line.product.name}",
                max_digits=14,
                decimal_places=3,
                min_value=Decimal(0),
                max_value=line.outstanding,
                initial=line.outstanding,
                required=False,
            )

    def receipts(self) -> dict[int, Decimal]:
        """Line id to quantity received now, lines left empty or at zero left out."""
        return {
            line.pk: self.cleaned_data[f"line_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}")
        }

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.errors and not any(cleaned.get(f"line_{line.pk}") for line in self.lines):
            raise forms.ValidationError(_("Enter a quantity received for at least one line."))
        return cleaned


class ProductImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, with a header row; see the format below."))
