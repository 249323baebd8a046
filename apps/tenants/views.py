"""The public site's pages: landing and signup."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from apps.tenants.forms import SignupForm
from apps.tenants.provisioning import ProvisioningError
from apps.tenants.signup import SignupThrottle, login_url_for, signup


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/public_home.html", {"base_domain": settings.BASE_DOMAIN})


@csrf_protect
def signup_view(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, base_domain=settings.BASE_DOMAIN)
    if request.method != "POST":
        return render(request, "tenants/signup.html", {"form": form})
    if not SignupThrottle().allow_request(request, None):  # type: ignore[arg-type]
        form.add_error(None, _("Too many signups from your address; try again later."))
        return render(request, "tenants/signup.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "tenants/signup.html", {"form": form}, status=400)
    try:
        result = signup(**form.cleaned_data)
    except ProvisioningError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return render(request, "tenants/signup.html", {"form": form}, status=400)
    context = {"tenant": result.tenant, "login_url": login_url_for(request, result), "email": result.tenant.owner_email}
    return render(request, "tenants/signup_done.html", context, status=201)
