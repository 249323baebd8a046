"""Web pages of features and regions."""

from django.urls import path

from apps.features import views

app_name = "features"
urlpatterns = [
    path("settings/organisation/", views.organisation_settings, name="organisation"),
    path("features/consent/", views.consent_accept_view, name="consent-accept"),
]
