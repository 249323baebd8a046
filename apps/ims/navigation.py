"""The inventory's navigation entries and dashboard card, registered from ImsConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from monopod.web.navigation import register_card, register_entry

SECTION = _("Inventory")


def register() -> None:
    """Add the inventory's entries to the navigation and its low-stock card to the dashboard."""
    from apps.ims.views import keeps_stock, low_stock_card_context

    entries = [
        (_("Products"), "ims:product_list", "box", "ims.view_product"),
        (_("Stock"), "ims:stocklevel_list", "layers", "ims.view_stocklevel"),
        (_("Purchase orders"), "ims:purchaseorder_list", "truck", "ims.view_purchaseorder"),
        (_("Suppliers"), "ims:supplier_list", "users", "ims.view_supplier"),
        (_("Warehouses"), "ims:warehouse_list", "home", "ims.view_warehouse"),
        (_("Categories"), "ims:category_list", "tag", "ims.view_category"),
    ]
    # After the shell's own entries and the framework's test catalog (20): domain modules from 30.
    for order, (label, url_name, icon, permission) in enumerate(entries, start=30):
        register_entry(label=label, url_name=url_name, icon=icon, permission=permission, order=order, section=SECTION)
    register_card(
        name="ims-low-stock",
        template_name="ims/_low_stock_card.html",
        permission="ims.view_stocklevel",
        order=20,
        condition=keeps_stock,
        context=low_stock_card_context,
    )
