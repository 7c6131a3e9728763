from django.contrib import admin
from django.urls import include, path

from community import views

urlpatterns = [
    path("", include("events.urls")),
    path("members/", include("community.member_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
