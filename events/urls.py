from django.urls import path

from events.views import public

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/<slug:slug>/", public.event_detail, name="detail"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
]
