"""The site's URLs, plus `/bench/floor/`: the yardstick the benchmarks compare pages with."""

from django.urls import path

from bench.views import floor
from community.urls import handler500  # noqa: F401 - the site's error pages here too
from community.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *site_urlpatterns,
    path("bench/floor/", floor, name="bench_floor"),
]
