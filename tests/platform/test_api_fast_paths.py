"""The request path's shortcuts answer exactly what the long way answered.

The JSON renderer (orjson), the serializer's per-field functions, psycopg's C timestamp loader, the
search path kept between requests and the filtersets' shallow copies each replace something slower;
each is compared here with what it replaced, on the values where they could differ.
"""

from __future__ import annotations

import select
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import django_filters
import pytest
from django.db import connection
from django.utils import timezone as django_timezone
from django.utils import translation
from django.utils.translation import gettext_lazy
from psycopg.adapt import PyFormat
from psycopg.pq import Format
from rest_framework import renderers, serializers
from rest_framework.test import APIClient

from apps.identity.models import User
from apps.tenants.provisioning import tenant_domain_name
from monopod.api import FilterSet, ModelSerializer
from monopod.api.filters import StrictDjangoFilterBackend
from monopod.api.renderers import JSONRenderer
from monopod.db.backends.postgresql.base import UtcTimestamptzLoader
from tests.catalog.filtersets import ProductFilterSet
from tests.catalog.models import Product

# --- The JSON renderer


RENDERED = [
    {"count": 2, "next": None, "results": [{"id": 1, "name": "Spanner", "active": True, "ratio": 0.25}]},
    {"text": "Grüße, مرحبا, 日本", "separators": "line\u2028paragraph\u2029end", "quote": 'say "hi"\\'},
    {"when": datetime(2026, 11, 24, 5, 6, 7, 891234, tzinfo=UTC), "day": date(2026, 11, 24), "at": time(5, 6, 7)},
    {"dubai": datetime(2026, 11, 24, 9, 6, 7, tzinfo=timezone(timedelta(hours=4)))},
    {"price": Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "span": timedelta(hours=1)},
    {"lazy": gettext_lazy("Not found."), "tuple": (1, 2), 3: "int key", "nested": {"list": [[], {}]}},
    [1, "two", None, False],
]


@pytest.mark.parametrize("data", RENDERED)
def test_the_renderer_writes_drfs_bytes(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_the_renderer_escapes_the_javascript_line_separators():
    assert JSONRenderer().render({"s": "a\u2028b\u2029c"}) == b'{"s":"a\\u2028b\\u2029c"}'


def test_what_orjson_refuses_and_indented_output_are_drfs():
    huge = {"n": 2**70}
    assert JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'
    indented = JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == renderers.JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == b'{\n  "a": [\n    1\n  ]\n}'
    assert JSONRenderer().render(None) == b""


# --- Serializers: per-field functions against DRF's own representation


class DrfProductSerializer(serializers.ModelSerializer):
    """Plain DRF, for comparison."""

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "description", "category", "unit_price", "quantity", "active", "created_at"]


class FastProductSerializer(ModelSerializer):
    class Meta:
        model = Product
        fields = DrfProductSerializer.Meta.fields


class TextOfNumbersSerializer(ModelSerializer):
    """Columns shown as another type than they load as: no value may pass through as loaded."""

    quantity = serializers.CharField()
    active = serializers.CharField()
    big_id = serializers.IntegerField(source="id")
    price = serializers.DecimalField(source="unit_price", max_digits=12, decimal_places=3)
    stamp = serializers.DateTimeField(source="created_at", format="%Y-%m-%d %H:%M")

    class Meta:
        model = Product
        fields = ["quantity", "active", "big_id", "price", "stamp"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Dubai", "America/New_York"])
def test_a_row_is_represented_as_drf_represents_it(tenant, zone):
    product = Product.objects.create(
        sku="ß-1", name="Grüße", description="", unit_price=Decimal("1234.5"), quantity=-3, active=False
    )
    Product.objects.filter(pk=product.pk).update(created_at=datetime(2026, 3, 8, 7, 30, 0, 120000, tzinfo=UTC))
    product.refresh_from_db()
    row = Product.objects.values(*FastProductSerializer.plain_columns()).get(pk=product.pk)

    with django_timezone.override(zone):
        expected = dict(DrfProductSerializer(product).data)
        assert FastProductSerializer(row).data == expected
        assert FastProductSerializer(product).data == expected
        assert list(FastProductSerializer([row, row], many=True).data) == [expected, expected]

    assert expected["unit_price"] == "1234.50"
    assert expected["quantity"] == -3
    assert (
        expected["created_at"]
        == {
            "UTC": "2026-03-08T07:30:00.120000Z",
            "Asia/Dubai": "2026-03-08T11:30:00.120000+04:00",
            "America/New_York": "2026-03-08T03:30:00.120000-04:00",
        }[zone]
    )


def test_fields_shown_as_another_type_are_converted(tenant):
    product = Product.objects.create(sku="T-1", name="Tap", unit_price=Decimal("2.5"), quantity=7, active=True)
    Product.objects.filter(pk=product.pk).update(created_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    row = Product.objects.values(*TextOfNumbersSerializer.plain_columns()).get(pk=product.pk)

    with django_timezone.override("UTC"):
        shown = TextOfNumbersSerializer(row).data

    assert shown == {
        "quantity": "7",
        "active": "True",
        "big_id": product.pk,
        "price": "2.500",
        "stamp": "2026-01-02 03:04",
    }


def test_a_decimal_with_more_places_is_rounded_as_drf_rounds_it():
    field = serializers.DecimalField(max_digits=12, decimal_places=2)
    fast = FastProductSerializer().fields["unit_price"]
    for value in (Decimal("2.345"), Decimal("2.355"), Decimal("-0.005"), Decimal("7"), 3.1, "4.5"):
        assert fast.to_representation(value) == field.to_representation(value)


# --- The C timestamp loader


def test_timestamps_are_loaded_by_the_c_loader_as_aware_utc_datetimes(tenant):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT '2026-11-24 07:08:09.123456+02'::timestamptz, "
            "'0001-01-01 00:00:00+00'::timestamptz, NULL::timestamptz"
        )
        loaded, earliest, missing = cursor.fetchone()
    adapters = connection.connection.adapters

    assert adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT) is UtcTimestamptzLoader
    assert loaded == datetime(2026, 11, 24, 5, 8, 9, 123456, tzinfo=UTC)
    assert loaded.tzinfo is UTC
    assert earliest == datetime(1, 1, 1, tzinfo=UTC)
    assert missing is None
    assert adapters.get_dumper(datetime, PyFormat.AUTO)  # dumping is untouched


def test_model_datetimes_round_trip(tenant):
    at = datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC)
    product = Product.objects.create(sku="D-1", name="Dial", unit_price=Decimal("1.00"))
    Product.objects.filter(pk=product.pk).update(created_at=at)

    assert Product.objects.get(pk=product.pk).created_at == at
    assert Product.objects.filter(created_at=at).count() == 1


# --- The search path, kept between requests


def set_statements(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SET search_path")]


def test_setting_the_same_schema_again_sends_no_set(tenant, other_tenant, django_assert_num_queries):
    connection.set_tenant(tenant)
    User.objects.exists()

    # A request: public to find the tenant, then the tenant.
    connection.set_schema_to_public()
    connection.set_tenant(tenant)
    with django_assert_num_queries(1) as captured:
        assert User.objects.filter(email="founder@acme.test").exists()
    assert set_statements(captured) == []

    # Another tenant's schema is set when it is used, and the first one's again after it.
    connection.set_tenant(other_tenant)
    with django_assert_num_queries(2) as captured:
        assert User.objects.filter(email="founder@globex.test").exists()
    assert set_statements(captured) == ['SET search_path = "globex","public"']
    connection.set_tenant(tenant)
    with django_assert_num_queries(2) as captured:
        assert User.objects.filter(email="founder@acme.test").exists()
    assert set_statements(captured) == ['SET search_path = "acme","public"']


@pytest.mark.parametrize("back_to", ["acme", "globex"])
def test_after_a_rolled_back_savepoint_each_schema_reads_its_own_rows(tenant, other_tenant, back_to):
    """A SET undone by a rollback is not taken for the session's path: every schema reads its own rows."""
    from django.db import transaction

    tenants = {"acme": tenant, "globex": other_tenant}
    connection.set_tenant(tenant)
    User.objects.exists()
    seen_inside: list[str] = []

    def switch_then_fail() -> None:
        with transaction.atomic():
            connection.set_tenant(other_tenant)
            seen_inside.extend(User.objects.filter(email__startswith="founder@").values_list("email", flat=True))
            raise RuntimeError("roll back, and the SET with it")

    with pytest.raises(RuntimeError):
        switch_then_fail()

    assert seen_inside == ["founder@globex.test"]

    connection.set_tenant(tenants[back_to])
    emails = list(User.objects.filter(email__startswith="founder@").values_list("email", flat=True))
    assert emails == [f"founder@{back_to}.test"]


# --- The health check


def test_a_connection_the_server_closed_fails_the_health_check(db):
    """No round trip for a healthy idle connection; a terminated one is found and replaced."""
    from django.db import connections

    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        kept.set_autocommit(True)
        pid = kept.connection.info.backend_pid
        assert kept.is_usable() is True

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
        for _ in range(100):  # the server's goodbye reaches the socket
            poller = select.poll()
            poller.register(kept.connection.fileno(), select.POLLIN)
            if poller.poll(50):
                break

        assert kept.is_usable() is False
        kept.health_check_enabled = True
        kept.health_check_done = False
        kept.close_if_health_check_failed()
        assert kept.connection is None
        with kept.cursor() as cursor:  # a new connection, to a new backend
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        kept.close()


def test_a_healthy_idle_connection_is_checked_without_a_query(db):
    from django.db import connections

    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        kept.set_autocommit(True)
        sent: list[str] = []
        original = kept.connection.cursor

        def counting_cursor(*args, **kwargs):
            sent.append("cursor")
            return original(*args, **kwargs)

        kept.connection.cursor = counting_cursor
        assert kept.is_usable() is True
        assert sent == []
    finally:
        kept.close()


# --- Flash messages, for pages only


def test_api_requests_get_no_message_storage_and_pages_do(rf):
    from django.contrib.messages import get_messages
    from django.contrib.sessions.backends.cache import SessionStore
    from django.http import HttpResponse

    from monopod.web.messages import MessageMiddleware

    seen: dict[str, bool] = {}

    def view(request):
        seen[request.path] = hasattr(request, "_messages")
        return HttpResponse("ok")

    middleware = MessageMiddleware(view)
    for path in ("/api/v1/catalog/products/", "/ims/"):
        request = rf.get(path)
        request.session = SessionStore()
        assert middleware(request).status_code == 200

    assert seen == {"/api/v1/catalog/products/": False, "/ims/": True}
    assert list(get_messages(rf.get("/api/v1/"))) == []


# --- Counting a list


def test_rows_are_counted_as_django_counts_them(tenant):
    from django.db.models import Count, F

    from monopod.api.pagination import Paginator, rows_counted

    for n in range(12):
        Product.objects.create(
            sku=f"C-{n:02d}", name=f"Cog {n % 3}", unit_price=Decimal("1.00"), quantity=n, active=n % 2 == 0
        )
    products = Product.objects.all()
    querysets = {
        "all": products,
        "filtered": products.filter(active=True, quantity__gte=4),
        "empty": products.filter(pk__in=[]),
        "distinct values": products.values("name").distinct(),
        "sliced": products.order_by("-quantity")[3:8],
        "grouped": products.values("name").annotate(n=Count("id")),
        "annotated": products.annotate(double=F("quantity") * 2).filter(double__gt=10),
        "union": products.filter(quantity__lt=2).union(products.filter(quantity__gt=9)),
        "for update": products.select_for_update().filter(active=False),
    }
    counted = {name: rows_counted(queryset) for name, queryset in querysets.items()}

    assert counted == {name: queryset.count() for name, queryset in querysets.items()}
    assert counted == {
        "all": 12, "filtered": 4, "empty": 0, "distinct values": 3, "sliced": 5, "grouped": 3,
        "annotated": 6, "union": 4, "for update": 6,
    }  # fmt: skip
    evaluated = products.filter(active=True)
    assert len(evaluated) == 6
    assert rows_counted(evaluated) == 6
    assert rows_counted([1, 2, 3]) == 3
    assert Paginator(products.filter(quantity__lt=5), 2).num_pages == 3


# --- Filtersets: filters copied one level deep, one form class per model and language


class MethodFilterSet(FilterSet):
    """A ``method=`` filter, which must reach the filterset in use, not the class's."""

    cheaper_than = django_filters.NumberFilter(method="filter_cheaper_than")

    class Meta:
        model = Product
        fields = {"active": ["exact"]}

    def filter_cheaper_than(self, queryset, name, value):
        self.calls.append(value)
        return queryset.filter(unit_price__lt=value)

    @property
    def calls(self):
        return self.__dict__.setdefault("_calls", [])


def test_each_filterset_filters_with_its_own_copies(tenant):
    for sku, price in (("A", "5.00"), ("B", "15.00")):
        Product.objects.create(sku=sku, name=sku, unit_price=Decimal(price))
    first = MethodFilterSet({"cheaper_than": "10"}, queryset=Product.objects.all())
    second = MethodFilterSet({"cheaper_than": "20"}, queryset=Product.objects.all())

    assert [product.sku for product in first.qs] == ["A"]
    assert [product.sku for product in second.qs] == ["A", "B"]
    assert (first.calls, second.calls) == ([Decimal("10")], [Decimal("20")])
    for name, declared in MethodFilterSet.base_filters.items():
        assert first.filters[name] is not declared
        assert first.filters[name].extra is not declared.extra
        assert (first.filters[name].parent, second.filters[name].parent) == (first, second)
        assert first.filters[name].model is Product
        assert not hasattr(declared, "parent")
        assert "_field" not in declared.__dict__


@pytest.mark.urls("tests.catalog.urls")
def test_filter_labels_are_the_models_in_the_active_language_whatever_ran_before(tenant, admin_user):
    client = APIClient(HTTP_HOST=tenant_domain_name(tenant.slug))
    client.force_authenticate(admin_user)
    assert client.get("/api/v1/catalog/products/", {"active": "true", "unit_price__gte": "1"}).status_code == 200

    with translation.override("en"):
        english = ProductFilterSet({}, queryset=Product.objects.all()).form
        assert [english[name].label for name in ("sku", "unit_price__gte", "quantity__lte")] == [
            "Sku",
            "Unit price is greater than or equal to",
            "Quantity is less than or equal to",
        ]
    with translation.override("ar"):
        arabic = ProductFilterSet({}, queryset=Product.objects.all()).form
        assert arabic["unit_price__gte"].label == "Unit price أكبر من أو يساوي"
    assert type(arabic) is not type(english)


def test_the_form_class_is_made_once_per_model_and_language(tenant):
    with translation.override("en"):
        forms_made = {type(ProductFilterSet({"sku": str(n)}).form) for n in range(3)}
        bound = ProductFilterSet({"sku": "X", "unit_price__gte": "2.5"}).form
    assert len(forms_made) == 1
    assert bound.is_valid()
    assert bound.cleaned_data["unit_price__gte"] == Decimal("2.5")
    assert bound.fields["sku"] is not forms_made.pop().base_fields["sku"]  # each form has its own fields


def test_a_filterset_reading_the_request_makes_its_own_form(tenant, rf):
    asked = []

    def owned_by(request):
        asked.append(request)
        return User.objects.filter(email=request.user_email)

    class OwnerFilterSet(FilterSet):
        owner = django_filters.ModelChoiceFilter(queryset=owned_by, field_name="pk")

        class Meta:
            model = User
            fields: list[str] = []

    made = []
    for email in ("a@example.com", "b@example.com"):
        User.objects.create_user(email=email, password=None)
        request = rf.get("/")
        request.user_email = email
        made.append(OwnerFilterSet({}, request=request).form)
    assert [list(form.fields["owner"].queryset.values_list("email", flat=True)) for form in made] == [
        ["a@example.com"],
        ["b@example.com"],
    ]
    assert [request.user_email for request in asked] == ["a@example.com", "b@example.com"]
    assert type(made[0]) is not type(made[1])


@pytest.mark.urls("tests.catalog.urls")
def test_a_list_without_filter_parameters_builds_no_filterset(tenant, admin_user, monkeypatch):
    built = []
    original = StrictDjangoFilterBackend.get_filterset

    def spy(self, request, queryset, view):
        built.append(sorted(request.query_params))
        return original(self, request, queryset, view)

    monkeypatch.setattr(StrictDjangoFilterBackend, "get_filterset", spy)
    for sku in ("A", "B", "C"):
        Product.objects.create(sku=sku, name=sku, unit_price=Decimal("1.00"), active=sku != "B")
    client = APIClient(HTTP_HOST=tenant_domain_name(tenant.slug))
    client.force_authenticate(admin_user)

    paged = client.get("/api/v1/catalog/products/", {"page": "1", "page_size": "2", "ordering": "-sku"})
    filtered = client.get("/api/v1/catalog/products/", {"active": "true", "ordering": "-sku"})

    assert [row["sku"] for row in paged.json()["results"]] == ["C", "B"]
    assert [row["sku"] for row in filtered.json()["results"]] == ["C", "A"]
    assert built == [["active", "ordering"]]
