"""Resource serializers take each field in its own JSON type only, as the schema states; forms send text."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from monopod.api import ModelSerializer
from tests.catalog.api import ProductSerializer
from tests.catalog.models import Product

pytestmark = pytest.mark.urls("tests.catalog.urls")
PRODUCTS = "/api/v1/catalog/products/"
VALID = {"sku": "S-1", "name": "Spanner", "unit_price": "12.50", "quantity": 5, "active": True}


@pytest.mark.parametrize(
    ("field", "value", "message", "code"),
    [
        ("active", "yes", "Must be a valid boolean.", "invalid"),
        ("active", 1, "Must be a valid boolean.", "invalid"),
        ("name", 5, "Not a valid string.", "not_a_string"),
        ("quantity", "5", "A valid integer is required.", "invalid"),
        ("quantity", 5.5, "A valid integer is required.", "invalid"),
        ("quantity", True, "A valid integer is required.", "invalid"),
        ("unit_price", 12.5, 'Send a decimal as a string, such as "12.50".', "not_a_string"),
    ],
)
def test_json_of_the_wrong_type_is_refused(api_client, tenant, field, value, message, code):
    response = api_client.post(PRODUCTS, {**VALID, field: value}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == [{"field": field, "message": message, "code": code}]
    assert not Product.objects.exists()


def test_json_of_the_right_types_is_taken(api_client, tenant):
    response = api_client.post(PRODUCTS, VALID, format="json")

    assert response.status_code == 201
    product = Product.objects.get()
    assert (product.name, str(product.unit_price), product.quantity, product.active) == ("Spanner", "12.50", 5, True)


def test_an_html_form_sends_text_that_still_converts(api_client, tenant):
    form = {"sku": "S-2", "name": "Spanner", "unit_price": "12.50", "quantity": "5", "active": "false"}

    response = api_client.post(PRODUCTS, form)

    assert response.status_code == 201
    product = Product.objects.get()
    assert (product.quantity, product.active) == (5, False)


def test_a_list_answers_each_row_exactly_as_its_detail_does(api_client, tenant):
    for n in range(3):
        api_client.post(PRODUCTS, {**VALID, "sku": f"S-{n}", "description": "" if n else "first"}, format="json")
    Product.objects.filter(sku="S-2").update(description="")

    listed = api_client.get(PRODUCTS).json()["results"]
    detailed = [api_client.get(f"{PRODUCTS}{row['id']}/").json() for row in listed]

    assert listed == detailed
    assert [row["sku"] for row in listed] == ["S-0", "S-1", "S-2"]


class RenamedSerializer(ModelSerializer):
    title = serializers.CharField(source="name")

    class Meta:
        model = Product
        fields = ["id", "title", "created_at"]


class ComputedSerializer(ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "label"]

    def get_label(self, product: Product) -> str:
        return f"{product.sku}: {product.name}"


def test_lists_read_plain_rows_only_when_every_field_shows_a_column_as_is(tenant):
    product = Product.objects.create(sku="R-1", name="Rasp", unit_price="2.00")

    assert ProductSerializer.plain_columns() == (
        "id",
        "sku",
        "name",
        "description",
        "category",
        "unit_price",
        "quantity",
        "active",
        "created_at",
        "updated_at",
    )
    assert RenamedSerializer.plain_columns() == ("id", "name", "created_at")
    assert ComputedSerializer.plain_columns() is None
    row = Product.objects.values("id", "name", "created_at").get(pk=product.pk)
    assert RenamedSerializer(row).data == RenamedSerializer(product).data
    assert ComputedSerializer(product).data == {"id": product.pk, "label": "R-1: Rasp"}
