from django.urls import path

from events.views import people, public

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/<slug:slug>/", public.event_detail, name="detail"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
    # Who knows whom among the attendees, and "we met" (issue 4).
    path("events/<slug:slug>/people/", people.people, name="people"),
    path("events/<slug:slug>/met/", people.we_met, name="we_met"),
]
