"""Public URL conf of the tenancy benchmark (operational paths use it): the trivial view, then MonoPod's."""

from monopod.urls_public import urlpatterns as public_urlpatterns
from tests.bench.apps.tenancy_urls import TRIVIAL_PATHS

urlpatterns = [*TRIVIAL_PATHS, *public_urlpatterns]
