from django.urls import path

from events.views import organise, public

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/<slug:slug>/", public.event_detail, name="detail"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
    path("organise/", organise.workspace, name="organise"),
    path("organise/calendar/", organise.calendar_month, name="organise_calendar"),
    path("organise/calendar/<str:token>.ics", organise.calendar_feed, name="organise_feed"),
    path("organise/series/<slug:slug>/", organise.series_page, name="organise_series"),
    path("organise/series/<slug:slug>/new/", organise.event_create, name="organise_create"),
    path("organise/events/<slug:slug>/edit/", organise.event_edit, name="organise_edit"),
    path("organise/events/<slug:slug>/publish/", organise.hold_publish, name="organise_publish"),
    path("organise/events/<slug:slug>/cancel/", organise.event_cancel, name="organise_cancel"),
    path(
        "organise/events/<slug:slug>/attendees.csv",
        organise.attendees_csv,
        name="organise_attendees",
    ),
]
