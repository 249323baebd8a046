"""Pages of the features app: the organisation's region, and the privacy consent form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.audit.permissions import is_tenant_admin
from apps.features.forms import OrganisationRegionForm
from apps.features.services import consent_accept, region_change


@login_required
def organisation_settings(request: HttpRequest) -> HttpResponse:
    """The organisation's region, changed by its Admins only."""
    if not is_tenant_admin(request.user):
        raise PermissionDenied
    tenant = request.tenant  # type: ignore[attr-defined]
    form = OrganisationRegionForm(request.POST or None, initial={"region": tenant.region})
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "features/organisation.html", {"form": form, "tenant": tenant}, status=400)
        region_change(tenant=tenant, region=form.cleaned_data["region"], actor=request.user)
        messages.success(request, _("The organisation's region is saved."))
        return redirect("features:organisation")
    return render(request, "features/organisation.html", {"form": form, "tenant": tenant})


@login_required
@require_POST
def consent_accept_view(request: HttpRequest) -> HttpResponse:
    """Accept the current privacy notice, then go back where the member was."""
    consent_accept(user=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return HttpResponseRedirect(target)
