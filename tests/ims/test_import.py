"""CSV import of products: all or nothing, every bad row by line number; the command and the service."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from apps.events.models import OutboxEvent
from apps.ims.imports import ProductImportError, products_import
from apps.ims.models import Category, Product
from tests.ims.test_api import product

GOOD = (
    "sku,name,unit,category,cost_price,sale_price,active\n"
    "BLT-1,Bolt M8,unit,Fasteners,0.10,0.25,true\n"
    "SND-1,Sand,kg,,1.5,2.50,false\n"
    "ANV-1,Anvil (heavy),unit,Fasteners,40,120.00,true\n"
)


@pytest.fixture
def fasteners(tenant):
    return Category.objects.create(name="Fasteners")


def test_a_good_file_creates_and_updates_products(fasteners):
    existing = product("ANV-1", "Anvil", sale_price=Decimal("99.00"))

    result = products_import(content=GOOD.encode())

    assert (result.created, result.updated) == (2, 1)
    rows = Product.objects.order_by("sku").values_list("sku", "name", "unit", "category__name", "sale_price", "active")
    assert list(rows) == [
        ("ANV-1", "Anvil (heavy)", "unit", "Fasteners", Decimal("120.00"), True),
        ("BLT-1", "Bolt M8", "unit", "Fasteners", Decimal("0.25"), True),
        ("SND-1", "Sand", "kg", None, Decimal("2.50"), False),
    ]
    existing.refresh_from_db()
    assert existing.cost_price == Decimal("40.00")


def test_each_written_product_is_published_as_an_event(fasteners):
    products_import(content=GOOD.encode())

    types = OutboxEvent.objects.filter(event_type__startswith="ims.product.").values_list("event_type", flat=True)
    assert sorted(types) == ["ims.product.created"] * 3


def test_a_byte_order_mark_and_blank_lines_are_accepted(fasteners):
    result = products_import(content=("\ufeff" + "sku,name\n\nBLT-2,Bolt M10\n").encode())

    assert (result.created, result.updated) == (1, 0)


def test_every_bad_row_is_reported_and_nothing_is_imported(fasteners):
    content = (
        "sku,name,sale_price,active,category\n"
        "OK-1,Fine,1.00,true,\n"  # line 2: good, yet not imported
        "BAD-1,,1.00,true,\n"  # line 3: no name
        "BAD-2,Negative,-5,true,\n"  # line 4
        "BAD-3,Maybe,1,perhaps,\n"  # line 5
        "BAD-4,Unknown category,1,true,Paint\n"  # line 6
        "OK-1,Twice,1,true,\n"  # line 7: the SKU of line 2
        "BAD-5,Short\n"  # line 8
    )

    with pytest.raises(ProductImportError) as raised:
        products_import(content=content)

    assert [(error.line, error.message) for error in raised.value.errors] == [
        (3, "name: This field is required."),
        (4, "sale_price: Ensure this value is greater than or equal to 0."),
        (5, "active: enter true or false."),
        (6, "category: no category named Paint."),
        (7, "SKU OK-1 is also on line 2."),
        (8, "expected 5 columns, found 2."),
    ]
    assert Product.objects.count() == 0


def test_a_row_in_quotes_across_lines_keeps_the_following_line_numbers(fasteners):
    content = 'sku,name,description\nOK-1,Fine,"two\nlines"\nBAD-1,,x\n'

    with pytest.raises(ProductImportError) as raised:
        products_import(content=content)

    assert [error.line for error in raised.value.errors] == [4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty; it needs a header row."),
        (b"sku,description\nA,B\n", "missing columns: name."),
        (b"sku,name\n", "The file has no rows to import."),
        (b"\xff\xfesku", "The file is not UTF-8 text."),
    ],
)
def test_an_unusable_file_is_one_error_on_line_1(tenant, content, message):
    with pytest.raises(ProductImportError) as raised:
        products_import(content=content)

    assert [(error.line, error.message) for error in raised.value.errors] == [(1, message)]


def test_unknown_columns_are_named(tenant):
    with pytest.raises(ProductImportError) as raised:
        products_import(content="sku,name,colour\nA,B,red\n")

    assert str(raised.value.errors[0]) == (
        "line 1: unknown columns: colour (known: sku, name, description, unit, category, cost_price, sale_price, "
        "barcode, active, allow_negative_stock)."
    )


# --- the command


def test_the_command_imports_into_the_named_tenant(fasteners, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()

    call_command("ims_import_products", "--tenant", "acme", str(path), stdout=out)

    assert out.getvalue().strip() == "Imported into acme: 3 created, 0 updated."
    assert Product.objects.count() == 3


def test_the_command_lists_bad_lines_and_fails(fasteners, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("sku,name\nA-1,\nA-2,Fine\nA-3,\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^Nothing imported: 2 errors\.$"):
        call_command("ims_import_products", "--tenant", "acme", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 2: name: This field is required.",
        "line 4: name: This field is required.",
    ]
    assert Product.objects.count() == 0


def test_the_command_refuses_an_unknown_tenant_or_file(tenant, tmp_path):
    with pytest.raises(CommandError, match=r"^No tenant with slug 'nobody'\.$"):
        call_command("ims_import_products", "--tenant", "nobody", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match=r"^Cannot read .*missing\.csv: No such file or directory\.$"):
        call_command("ims_import_products", "--tenant", "acme", str(tmp_path / "missing.csv"))


def test_the_command_exits_non_zero(fasteners, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("sku,name\nA-1,\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "ims_import_products", "--tenant", "acme", str(path)])

    assert exited.value.code == 1
