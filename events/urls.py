from django.urls import path

from events.views import feeds, public, rsvp

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/past/", public.past_events, name="past"),
    path("events/<slug:slug>/", public.event_detail, name="detail"),
    path("events/<slug:slug>/rsvp/", rsvp.rsvp, name="rsvp"),
    path("events/<slug:slug>/event.ics", feeds.event_calendar, name="event_ics"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
    path("series/<slug:slug>/calendar.ics", feeds.series_calendar, name="series_ics"),
    path("calendar.ics", feeds.site_calendar, name="calendar_ics"),
    path("feed/", feeds.UpcomingEventsFeed(), name="feed"),
    path("me/events/", rsvp.my_events, name="my_events"),
    path("me/calendar/regenerate/", rsvp.regenerate_calendar_token, name="regenerate_calendar"),
    path("me/calendar/<str:token>.ics", feeds.private_calendar, name="private_calendar"),
]
