import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import User
from events.access import visible_event_or_404
from events.html import safe_description
from events.ical import event_uid, ics_response
from events.models import RSVP, Event, Series

# The private feed keeps recent events too, so last week's evening does not vanish at once.
PRIVATE_FEED_HISTORY = dt.timedelta(days=90)


def _listed(events):
    return events.published().upcoming().select_related("series", "venue").order_by("start")


def site_calendar(request: HttpRequest) -> HttpResponse:
    return ics_response(
        _listed(Event.objects.all()), name=_("Rencontres"), filename="rencontres.ics"
    )


def series_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=slug)
    return ics_response(
        _listed(series.events.all()), name=series.name, filename=f"{series.slug}.ics"
    )


def event_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(request, slug, Event.objects.select_related("series", "venue"))
    return ics_response([event], name=event.title, filename=f"{event.slug}.ics")


def private_calendar(request: HttpRequest, token: str) -> HttpResponse:
    member = get_object_or_404(User, calendar_token=token, is_active=True)
    events = (
        Event.objects.filter(
            rsvps__member=member,
            rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
            status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
            end__gte=timezone.now() - PRIVATE_FEED_HISTORY,
        )
        .select_related("series", "venue")
        .order_by("start")
    )
    response = ics_response(events, name=_("My Rencontres"), filename="my-rencontres.ics")
    response["Cache-Control"] = "private, no-store"
    return response


class UpcomingEventsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Rencontres — upcoming events")
    subtitle = gettext_lazy("Blogger and meetup community events around Lille.")
    link = reverse_lazy("events:home")

    def items(self):
        return _listed(Event.objects.all())[:100]

    def item_title(self, item: Event) -> str:
        when = timezone.localtime(item.start).strftime("%d/%m/%Y %H:%M")
        return f"{item.title} — {when}"

    def item_description(self, item: Event) -> str:
        return safe_description(item.description)

    def item_guid(self, item: Event) -> str:
        return event_uid(item)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Event):
        return item.created_at

    def item_updateddate(self, item: Event):
        return item.updated_at

    def item_author_name(self, item: Event) -> str | None:
        return item.series.name if item.series else None

    def item_categories(self, item: Event):
        return [item.series.name] if item.series else []
