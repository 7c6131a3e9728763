from django.urls import path

from events.views import calendars, door, encounters, feeds, organise, people, public, recaps, rsvp

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("events/past/", public.past_events, name="past"),
    path("events/<slug:slug>/", public.event_detail, name="detail"),
    path("events/<slug:slug>/rsvp/", rsvp.rsvp, name="rsvp"),
    path("events/<slug:slug>/event.ics", feeds.event_calendar, name="event_ics"),
    path("events/<slug:slug>/share/<str:digest>.png", public.share_image, name="share_image"),
    path("series/<slug:slug>/", public.series_detail, name="series"),
    path("series-colours.css", public.series_colours, name="series_colours"),
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
    path(
        "organise/series/<slug:slug>/overbooking/",
        organise.series_overbooking,
        name="organise_overbooking",
    ),
    path("organise/series/<slug:slug>/new/", organise.event_create, name="organise_create"),
    path("organise/series/<slug:slug>/clashes/", organise.clash_preview, name="clash_preview"),
    path("organise/events/<slug:slug>/edit/", organise.event_edit, name="organise_edit"),
    path("organise/events/<slug:slug>/publish/", organise.hold_publish, name="organise_publish"),
    path("organise/events/<slug:slug>/cancel/", organise.event_cancel, name="organise_cancel"),
    path(
        "organise/events/<slug:slug>/attendees.csv",
        organise.attendees_csv,
        name="organise_attendees",
    ),
    # At the door: check-in, walk-ins and guests, badges; the members' door passes.
    path("organise/events/<slug:slug>/check-in/", door.check_in, name="check_in"),
    path(
        "organise/events/<slug:slug>/check-in/<int:rsvp_id>/", door.arrival, name="check_in_arrival"
    ),
    path("organise/events/<slug:slug>/check-in/walk-in/", door.walk_in, name="check_in_walk_in"),
    path("organise/events/<slug:slug>/check-in/guests/", door.add_guest, name="check_in_guest"),
    path(
        "organise/events/<slug:slug>/check-in/guests/<int:guest_id>/remove/",
        door.remove_guest,
        name="check_in_guest_remove",
    ),
    path("organise/events/<slug:slug>/badges.pdf", door.badges_pdf, name="badges"),
    path("events/<slug:slug>/door/<str:token>/", door.door_pass, name="door"),
    path("events/<slug:slug>/door/<str:token>.png", door.door_pass_image, name="door_qr"),
    path("series/<slug:slug>/calendar.ics", feeds.series_calendar, name="series_ics"),
    path("calendar.ics", feeds.site_calendar, name="site_ics"),
    path("feed/", feeds.UpcomingEventsFeed(), name="feed"),
    path("me/events/", rsvp.my_events, name="my_events"),
    path("me/encounters/", encounters.my_encounters, name="my_encounters"),
    path("me/calendar/regenerate/", rsvp.regenerate_calendar_token, name="regenerate_calendar"),
    path("me/calendar/<str:token>.ics", feeds.private_calendar, name="private_ics"),
]
