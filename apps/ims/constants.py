"""The inventory's fixed lists, shared by its forms, CSV import, API and pages."""

from __future__ import annotations

# What a person or a file says about a product (the rest is kept by MonoPod): the product form, the
# CSV import's columns, the API's writable fields and the detail page's rows, in this order.
PRODUCT_FIELDS = (
    "sku",
    "name",
    "description",
    "unit",
    "category",
    "cost_price",
    "sale_price",
    "barcode",
    "active",
    "allow_negative_stock",
)
