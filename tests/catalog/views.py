"""The catalog's web pages: all a module writes for one model's list, detail, add, edit and delete."""

from django.utils.translation import gettext_lazy as _

from monopod.web.tables import Column, Table
from monopod.web.views import (
    ObjectBulkDeleteView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RelatedSection,
)
from tests.catalog.filtersets import ProductFilterSet
from tests.catalog.models import Product


class ProductTable(Table):
    sku = Column(_("SKU"), linkify=True, sortable=True)
    name = Column(_("Name"), sortable=True)
    category = Column(_("Category"), sortable=True)
    unit_price = Column(_("Unit price"), sortable=True)
    quantity = Column(_("Quantity"), sortable=True)
    active = Column(_("Active"))


class ProductListView(ObjectListView):
    queryset = Product.objects.all()
    filterset_class = ProductFilterSet
    table = ProductTable
    search_fields = ("sku", "name")


class ProductDetailView(ObjectDetailView):
    queryset = Product.objects.all()
    fields = ["sku", "name", "description", "category", "unit_price", "quantity", "active", "updated_at"]
    related = [
        RelatedSection(
            _("Same category"),
            queryset=lambda product: Product.objects.filter(category=product.category).exclude(pk=product.pk),
            table=ProductTable,
        )
    ]


class ProductEditView(ObjectEditView):
    queryset = Product.objects.all()
    fields = ["sku", "name", "description", "category", "unit_price", "quantity", "active"]


class ProductDeleteView(ObjectDeleteView):
    queryset = Product.objects.all()


class ProductBulkDeleteView(ObjectBulkDeleteView):
    queryset = Product.objects.all()
