import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from community.mail import absolute_url
from community.models import User
from events.access import organiser_or_403, visible_event_or_404
from events.html import safe_description
from events.ical import event_uid, ics_response
from events.models import RSVP, Event, Series
from events.rsvps import with_waitlist_position

# The private feed keeps recent events too, so last week's evening does not vanish at once.
PRIVATE_FEED_HISTORY = dt.timedelta(days=90)


def _listed(events):
    return events.published().upcoming().select_related("series", "venue").order_by("start")


def site_calendar(request: HttpRequest) -> HttpResponse:
    return ics_response(
        _listed(Event.objects.all()), name=gettext_lazy("Rencontres"), filename="rencontres.ics"
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
    rsvps = with_waitlist_position(
        RSVP.objects.active()
        .filter(
            member=member,
            event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
            event__end__gte=timezone.now() - PRIVATE_FEED_HISTORY,
        )
        .select_related("event__series", "event__venue")
        .order_by("event__start")
    )
    events = []
    for entry in rsvps:
        # A place in the queue is not a seat: the entry says so, and which place.
        entry.event.waitlist_position = entry.waitlist_position if entry.is_waitlisted else None
        events.append(entry.event)
    return ics_response(
        events,
        name=gettext_lazy("My Rencontres"),
        filename="my-rencontres.ics",
        language=member.language,
        private=True,
    )


@login_required
@require_POST
def regenerate_organiser_feed_token(request: HttpRequest) -> HttpResponse:
    organiser_or_403(request)
    request.user.regenerate_organiser_feed_token()
    messages.success(
        request, _("Your organisers' calendar address has changed: the old one no longer works.")
    )
    return redirect("events:organise")


class UpcomingEventsFeed(Feed):
    """Links and ids start with SITE_URL (absolute links are left as they are by `Feed`,
    which would otherwise put the Sites framework's domain in front of paths)."""

    feed_type = Atom1Feed
    title = gettext_lazy("Rencontres — upcoming events")
    subtitle = gettext_lazy("Blogger and meetup community events around Lille.")

    def __call__(self, request, *args, **kwargs):
        # A public feed, fetched by readers without the visitor's language: the default one.
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(request, *args, **kwargs)

    def link(self) -> str:
        return absolute_url(reverse("events:home"))

    def feed_url(self) -> str:
        return absolute_url(reverse("events:feed"))

    def feed_guid(self) -> str:
        return self.feed_url()

    def items(self):
        return _listed(Event.objects.all())[:100]

    def item_link(self, item: Event) -> str:
        return absolute_url(item.get_absolute_url())

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
