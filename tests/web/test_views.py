"""The generic object views, through the catalog's product pages."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from apps.audit.models import AuditEntry
from tests.catalog.models import Product

LIST = "/catalog/products/"
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "object-table"}


def skus(response) -> list[str]:
    return [row.cells[0].value for row in response.context["rows"]]


# --- list


def test_list_shows_every_product_sorted_by_default(admin_client, products):
    response = admin_client.get(LIST)

    assert response.status_code == 200
    assert skus(response) == ["ANV-1", "HAM-1", "INS-1"]
    assert b"<html" in response.content
    assert b'<a href="/catalog/products/%d/">ANV-1</a>' % products[0].pk in response.content


def test_list_filters_with_the_api_filterset(admin_client, products):
    assert skus(admin_client.get(LIST, {"category": "service"})) == ["INS-1"]
    assert skus(admin_client.get(LIST, {"active": "false"})) == ["HAM-1"]
    assert skus(admin_client.get(LIST, {"unit_price__gte": "10", "unit_price__lte": "100"})) == ["ANV-1"]


def test_list_searches_sku_and_name(admin_client, products):
    assert skus(admin_client.get(LIST, {"q": "hamm"})) == ["HAM-1"]


def test_invalid_filter_answers_400_with_the_error_and_no_rows(admin_client, products):
    response = admin_client.get(LIST, {"unit_price__gte": "cheap"})

    assert response.status_code == 400
    assert skus(response) == []
    assert b"Enter a number." in response.content


def test_list_sorts_by_an_allowed_column_both_ways(admin_client, products):
    assert skus(admin_client.get(LIST, {"sort": "unit_price"})) == ["HAM-1", "ANV-1", "INS-1"]
    assert skus(admin_client.get(LIST, {"sort": "-unit_price"})) == ["INS-1", "ANV-1", "HAM-1"]


@pytest.mark.parametrize("sort", ["description", "-password", "unit_price;drop", "active"])
def test_sort_outside_the_allow_list_is_ignored(admin_client, products, sort):
    response = admin_client.get(LIST, {"sort": sort})

    assert response.status_code == 200
    assert skus(response) == ["ANV-1", "HAM-1", "INS-1"]


def test_sorted_heading_links_to_the_reverse_order(admin_client, products):
    response = admin_client.get(LIST, {"sort": "name", "page": "1"})

    assert b'aria-sort="ascending"' in response.content
    assert b'href="?sort=-name"' in response.content


def test_list_paginates_and_keeps_the_filters_in_page_links(admin_client, products):
    response = admin_client.get(LIST, {"per_page": "2", "page": "2", "sort": "sku"})

    assert skus(response) == ["INS-1"]
    assert response.context["page"].paginator.num_pages == 2
    assert b'href="?per_page=2&amp;page=1&amp;sort=sku"' in response.content


def test_page_size_is_capped(admin_client, products):
    response = admin_client.get(LIST, {"per_page": "100000"})

    assert response.context["page"].paginator.per_page == 100


@pytest.mark.parametrize("per_page", ["0", "-5", "many"])
def test_bad_page_size_falls_back_to_a_valid_one(admin_client, products, per_page):
    response = admin_client.get(LIST, {"per_page": per_page})

    assert response.status_code == 200
    assert response.context["page"].paginator.per_page == (25 if per_page == "many" else 1)


def test_htmx_request_for_the_table_gets_only_the_table(admin_client, products):
    response = admin_client.get(LIST, {"sort": "-sku"}, **HX)

    assert response.status_code == 200
    assert response.content.startswith(b'<div id="object-table"')
    assert b"<html" not in response.content
    assert skus(response) == ["INS-1", "HAM-1", "ANV-1"]
    assert response["Vary"].count("HX-Request") == 1


def test_htmx_table_keeps_the_filter_forms_sort_in_step(admin_client, products):
    partial = admin_client.get(LIST, {"sort": "-name"}, **HX)
    page = admin_client.get(LIST, {"sort": "-name"})

    assert b'<input type="hidden" id="filter-sort" name="sort" value="-name" hx-swap-oob="true">' in partial.content
    assert b'<input type="hidden" id="filter-sort" name="sort" value="-name">' in page.content
    assert b'id="filter-sort" name="sort" value="" disabled>' in admin_client.get(LIST).content


def test_htmx_request_without_the_table_target_gets_the_whole_page(admin_client, products):
    response = admin_client.get(LIST, HTTP_HX_REQUEST="true")

    assert b"<html" in response.content
    assert response.content.count(b'id="filter-sort"') == 1


def test_viewer_sees_the_list_without_add_or_bulk_delete(viewer_client, products):
    response = viewer_client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
    assert b'name="pk"' not in response.content
    assert b"/catalog/products/add/" not in response.content


def test_admin_sees_add_and_bulk_delete(admin_client, products):
    response = admin_client.get(LIST)

    assert response.content.count(b'type="checkbox" name="pk"') == 3
    assert b'href="/catalog/products/add/"' in response.content


def test_visitor_is_sent_to_sign_in(tenant_client, products):
    response = tenant_client.get(LIST)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/catalog/products/"


def test_member_without_view_permission_gets_403(tenant_client, tenant):
    from tests.identity.factories import UserFactory

    tenant_client.force_login(UserFactory(email="nobody@acme.test"))

    assert tenant_client.get(LIST).status_code == 403


def test_list_page_costs_the_same_queries_whatever_the_rows(admin_client, products):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def product_queries() -> tuple[int, list[str], int]:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(LIST, {"category": "hardware", "sort": "-unit_price"})
        sqls = [q["sql"] for q in captured.captured_queries]
        return len(response.context["rows"]), [sql for sql in sqls if '"catalog_product"' in sql], len(sqls)

    admin_client.get(LIST)  # the first request reads and caches the user's permissions
    few_rows, few_product_queries, few_total = product_queries()
    assert len(few_product_queries) == 2
    Product.objects.bulk_create(Product(sku=f"BULK-{n:03}", name=f"Bulk {n}", unit_price=Decimal(n)) for n in range(40))
    rows, product_queries_made, total = product_queries()

    assert (few_rows, rows) == (2, 25)
    # One count and one page of rows, however many rows there are.
    assert len(product_queries_made) == 2
    assert product_queries_made[0].startswith('SELECT COUNT(*) FROM (SELECT "catalog_product"."id"')
    assert total == few_total


def test_htmx_request_with_an_invalid_filter_gets_the_table_with_the_error(admin_client, products):
    response = admin_client.get(LIST, {"quantity__gte": "1.5"}, **HX)

    assert response.status_code == 400
    assert response.content.startswith(b'<div id="object-table"')
    assert b"Enter a number." in response.content


# --- CSV export


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_every_filtered_row_not_only_the_page(admin_client, products):
    response = admin_client.get(LIST, {"export": "csv", "active": "true", "per_page": "1", "sort": "-sku"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="products.csv"'
    assert csv_rows(response) == [
        ["SKU", "Name", "Category", "Unit price", "Quantity", "Active"],
        ["INS-1", "Installation", "Service", "250.00", "0", "true"],
        ["ANV-1", "Anvil", "Hardware", "99.00", "4", "true"],
    ]


def test_csv_export_neutralises_spreadsheet_formulas(admin_client, tenant):
    Product.objects.create(sku="=1+1", name='=HYPERLINK("http://evil.test")', unit_price=Decimal("1"))
    Product.objects.create(sku="@SUM", name="+cmd|' /C calc'!A0", unit_price=Decimal("2"), quantity=-3)
    Product.objects.create(sku="OK-1", name="-minus", unit_price=Decimal("3"))

    rows = csv_rows(admin_client.get(LIST, {"export": "csv", "sort": "unit_price"}))

    assert [row[:2] + row[4:5] for row in rows[1:]] == [
        ["'=1+1", '\'=HYPERLINK("http://evil.test")', "0"],
        ["'@SUM", "'+cmd|' /C calc'!A0", "-3"],
        ["OK-1", "'-minus", "0"],
    ]


def test_csv_export_of_an_invalid_filter_is_the_page_with_the_error(admin_client, products):
    response = admin_client.get(LIST, {"export": "csv", "quantity__gte": "lots"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_csv_export_needs_the_view_permission(tenant_client, tenant):
    from tests.identity.factories import UserFactory

    tenant_client.force_login(UserFactory(email="nobody@acme.test"))

    assert tenant_client.get(LIST, {"export": "csv"}).status_code == 403


# --- detail


def test_detail_shows_the_fields(admin_client, products):
    response = admin_client.get(f"{LIST}{products[2].pk}/")

    assert response.status_code == 200
    assert response.context["field_rows"][:7] == [
        ("Sku", "INS-1"),
        ("Name", "Installation"),
        ("Description", "—"),
        ("Category", "Service"),
        ("Unit price", "250.00"),
        ("Quantity", "0"),
        ("Active", "Yes"),
    ]
    assert b'href="?tab=history"' in response.content


def test_detail_lists_the_related_section(admin_client, products):
    extra = Product.objects.create(sku="SUP-1", name="Support", category="service", unit_price=Decimal("80"))

    response = admin_client.get(f"{LIST}{products[2].pk}/")

    [section] = response.context["sections"]
    assert str(section["label"]) == "Same category"
    assert [(row.pk, row.cells[0].value, row.cells[0].url) for row in section["rows"]] == [
        (extra.pk, "SUP-1", f"{LIST}{extra.pk}/")
    ]


def test_detail_history_tab_shows_the_audit_trail(admin_client, products):
    admin_client.post(f"{LIST}{products[0].pk}/edit/", product_data(name="Heavy anvil"))

    response = admin_client.get(f"{LIST}{products[0].pk}/", {"tab": "history"})

    assert response.status_code == 200
    entries = list(response.context["entries"])
    assert [(e.action, e.actor_label) for e in entries] == [("update", "owner@acme.test"), ("create", "")]
    assert b"Heavy anvil" in response.content
    assert f'href="/audit/history/catalog.product/{products[0].pk}/"'.encode() in response.content


def test_detail_of_a_missing_object_is_404(admin_client, products):
    assert admin_client.get(f"{LIST}999999/").status_code == 404


def test_another_tenants_object_is_not_reachable(admin_client, tenant, other_tenant):
    with tenant_context(other_tenant):
        theirs = Product.objects.create(sku="GLX-1", name="Globex widget", unit_price=Decimal("1"))

    assert admin_client.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert admin_client.get(f"{LIST}{theirs.pk}/edit/").status_code == 404
    assert admin_client.post(f"{LIST}{theirs.pk}/delete/").status_code == 404
    assert b"GLX-1" not in admin_client.get(LIST).content
    with tenant_context(other_tenant):
        assert Product.objects.filter(pk=theirs.pk).exists()


# --- add and edit


def product_data(**changes: str) -> dict[str, str]:
    data = {
        "sku": "ANV-1",
        "name": "Anvil",
        "description": "",
        "category": "hardware",
        "unit_price": "99.00",
        "quantity": "4",
        "active": "on",
    }
    data.update(changes)
    return data


def test_add_form_is_shown(admin_client, tenant):
    response = admin_client.get(f"{LIST}add/")

    assert response.status_code == 200
    assert b'name="sku"' in response.content


def test_add_creates_the_product_audited_as_the_user_and_redirects(admin_client, tenant):
    response = admin_client.post(f"{LIST}add/", product_data(sku="NEW-1", name="New"))

    product = Product.objects.get(sku="NEW-1")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{product.pk}/"
    entry = AuditEntry.objects.get(object_type="catalog.product", object_id=str(product.pk))
    assert (entry.action, entry.actor_type, entry.actor_label) == ("create", "user", "owner@acme.test")
    assert entry.changes["name"] == [None, "New"]


def test_add_with_bad_input_shows_form_errors_and_creates_nothing(admin_client, tenant):
    response = admin_client.post(f"{LIST}add/", product_data(sku="", unit_price="-1"))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "sku": ["This field is required."],
        "unit_price": ["Ensure this value is greater than or equal to 0."],
    }
    assert b"Ensure this value is greater than or equal to 0." in response.content
    assert Product.objects.count() == 0


def test_edit_changes_the_product_audited_as_the_user(admin_client, products):
    response = admin_client.post(f"{LIST}{products[0].pk}/edit/", product_data(name="Heavy anvil", quantity="9"))

    assert response.status_code == 302
    products[0].refresh_from_db()
    assert (products[0].name, products[0].quantity) == ("Heavy anvil", 9)
    entry = AuditEntry.objects.filter(object_type="catalog.product", object_id=str(products[0].pk)).first()
    assert (entry.action, entry.actor_type, entry.actor_label) == ("update", "user", "owner@acme.test")
    assert sorted(entry.changes) == ["name", "quantity", "updated_at"]
    assert (entry.changes["name"], entry.changes["quantity"]) == (["Anvil", "Heavy anvil"], [4, 9])


def test_edit_with_a_duplicate_sku_is_a_form_error(admin_client, products):
    response = admin_client.post(f"{LIST}{products[0].pk}/edit/", product_data(sku="HAM-1"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"sku": ["Product with this Sku already exists."]}


def test_edit_of_a_missing_object_is_404(admin_client, tenant):
    assert admin_client.post(f"{LIST}999999/edit/", product_data()).status_code == 404


def test_plain_form_post_redirects_with_a_message(admin_client, products):
    response = admin_client.post(f"{LIST}{products[1].pk}/edit/", product_data(sku="HAM-1", name="Claw"), follow=True)

    assert response.redirect_chain == [(f"{LIST}{products[1].pk}/", 302)]
    assert b"Saved HAM-1 Claw." in response.content


def test_return_url_off_site_is_not_followed(admin_client, products):
    response = admin_client.post(
        f"{LIST}{products[1].pk}/edit/", {**product_data(sku="HAM-1"), "return_url": "https://evil.test/"}
    )

    assert response["Location"] == f"{LIST}{products[1].pk}/"


# --- delete and bulk delete


def test_delete_asks_to_confirm(admin_client, products):
    response = admin_client.get(f"{LIST}{products[0].pk}/delete/")

    assert response.status_code == 200
    assert Product.objects.count() == 3


def test_delete_removes_the_product_and_returns_to_the_list(admin_client, products):
    response = admin_client.post(f"{LIST}{products[0].pk}/delete/", follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert b"Deleted ANV-1 Anvil." in response.content
    assert list(Product.objects.values_list("sku", flat=True)) == ["HAM-1", "INS-1"]
    entry = AuditEntry.objects.filter(object_type="catalog.product").first()
    assert (entry.action, entry.actor_label) == ("delete", "owner@acme.test")


def test_bulk_delete_confirms_then_deletes_the_selected(admin_client, products):
    selected = {"pk": [products[0].pk, products[2].pk]}

    confirm = admin_client.post(f"{LIST}delete/", selected)
    assert confirm.status_code == 200
    assert [p.sku for p in confirm.context["objects"]] == ["ANV-1", "INS-1"]
    assert Product.objects.count() == 3

    response = admin_client.post(f"{LIST}delete/", {**selected, "confirm": "1"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert b"Deleted 2 items." in response.content
    assert list(Product.objects.values_list("sku", flat=True)) == ["HAM-1"]
    assert AuditEntry.objects.filter(object_type="catalog.product", action="delete").count() == 2


def test_deleting_a_product_still_in_use_deletes_nothing_and_says_why(admin_client, products, monkeypatch):
    from django.db.models import ProtectedError

    def refuse(*args, **kwargs):
        raise ProtectedError("in use", {products[1]})

    monkeypatch.setattr(Product, "delete", refuse)
    monkeypatch.setattr(type(Product.objects.all()), "delete", refuse)

    single = admin_client.post(f"{LIST}{products[0].pk}/delete/", follow=True)
    bulk = admin_client.post(f"{LIST}delete/", {"pk": [products[0].pk], "confirm": "1"}, follow=True)

    assert single.redirect_chain == [(f"{LIST}{products[0].pk}/", 302)]
    assert b"Nothing was deleted: still in use by HAM-1 Hammer." in single.content
    assert bulk.redirect_chain == [(LIST, 302)]
    assert b"Nothing was deleted: still in use by HAM-1 Hammer." in bulk.content
    assert Product.objects.count() == 3


def test_bulk_delete_without_a_selection_warns(admin_client, products):
    response = admin_client.post(f"{LIST}delete/", {"pk": ["x"], "confirm": "1"}, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert b"Select at least one item to delete." in response.content
    assert Product.objects.count() == 3


def test_bulk_delete_leaves_another_tenants_objects_alone(admin_client, tenant, other_tenant):
    with tenant_context(other_tenant):
        theirs = Product.objects.create(sku="GLX-1", name="Globex widget", unit_price=Decimal("1"))

    response = admin_client.post(f"{LIST}delete/", {"pk": [theirs.pk], "confirm": "1"})

    assert response.status_code == 302
    with tenant_context(other_tenant):
        assert Product.objects.filter(pk=theirs.pk).exists()


# --- roles


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "add/"),
        ("post", "add/"),
        ("get", "{pk}/edit/"),
        ("post", "{pk}/edit/"),
        ("get", "{pk}/delete/"),
        ("post", "{pk}/delete/"),
        ("post", "delete/"),
    ],
)
def test_viewer_may_not_write(viewer_client, products, method, path):
    pk = products[0].pk
    data = {**product_data(name="Changed"), "pk": [pk], "confirm": "1"}

    response = getattr(viewer_client, method)(LIST + path.format(pk=pk), data if method == "post" else None)

    assert response.status_code == 403
    assert list(Product.objects.order_by("sku").values_list("name", flat=True)) == ["Anvil", "Hammer", "Installation"]


def test_manager_may_edit_but_not_delete(tenant_client, manager_user, products):
    tenant_client.force_login(manager_user)

    assert tenant_client.post(f"{LIST}{products[0].pk}/edit/", product_data(name="Managed")).status_code == 302
    assert tenant_client.post(f"{LIST}{products[0].pk}/delete/").status_code == 403
    assert Product.objects.get(pk=products[0].pk).name == "Managed"
