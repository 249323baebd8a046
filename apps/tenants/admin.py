from django.contrib import admin
from django_tenants.admin import TenantAdminMixin

from apps.tenants.models import Domain, Tenant


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["schema_name", "name", "region", "created_at"]
    list_filter = ["region"]
    search_fields = ["schema_name", "name"]
    inlines = [DomainInline]
