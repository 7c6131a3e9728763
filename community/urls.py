from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from community import views

urlpatterns = [
    path("", include("events.urls")),
    path("members/", include("community.member_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/<str:code>/", views.switch_language, name="switch_language"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# A minimal page through the same middleware stack: the yardstick of `bench/home.py`.
if settings.BENCHMARK_FLOOR:
    urlpatterns.append(path("bench/floor/", views.bench_floor, name="bench_floor"))
