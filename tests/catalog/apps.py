from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "tests.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monopod.web.navigation import register_entry

        register_entry(
            label=_("Products"),
            url_name="catalog:product_list",
            icon="box",
            permission="catalog.view_product",
            order=20,
            section=_("Catalog"),
        )
