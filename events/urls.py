from django.urls import path

from events.views import calendars, feeds, organise, people, public, recaps, rsvp

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/past/", public.past_events, name="past"),
    path("events/<slug:slug>/", public.event_detail, name="detail"),
    path("events/<slug:slug>/rsvp/", rsvp.rsvp, name="rsvp"),
    path("events/<slug:slug>/event.ics", feeds.event_calendar, name="event_ics"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
    path("webmention/", recaps.webmention, name="webmention"),
    path("organise/recaps/<int:pk>/hide/", recaps.recap_hide, name="recap_hide"),
    # Who knows whom among the attendees, and "we met".
    path("events/<slug:slug>/people/", people.people, name="people"),
    path("events/<slug:slug>/met/", people.we_met, name="we_met"),
    path("organise/", organise.workspace, name="organise"),
    path("organise/calendar/", organise.calendar_month, name="organise_calendar"),
    path("organise/calendar/<str:token>.ics", organise.calendar_feed, name="organisers_ics"),
    path(
        "organise/calendar/regenerate/",
        feeds.regenerate_organiser_feed_token,
        name="regenerate_organisers_ics",
    ),
    path("organise/other-calendars/", calendars.other_calendars, name="other_calendars"),
    path(
        "organise/other-calendars/<int:pk>/refresh/",
        calendars.other_calendar_refresh,
        name="other_calendar_refresh",
    ),
    path(
        "organise/other-calendars/<int:pk>/delete/",
        calendars.other_calendar_delete,
        name="other_calendar_delete",
    ),
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
    path("series/<slug:slug>/calendar.ics", feeds.series_calendar, name="series_ics"),
    path("calendar.ics", feeds.site_calendar, name="site_ics"),
    path("feed/", feeds.UpcomingEventsFeed(), name="feed"),
    path("me/events/", rsvp.my_events, name="my_events"),
    path("me/calendar/regenerate/", rsvp.regenerate_calendar_token, name="regenerate_calendar"),
    path("me/calendar/<str:token>.ics", feeds.private_calendar, name="private_ics"),
]
