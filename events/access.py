"""Access helpers: each returns the object a request may see or change, or raises 404/403.

Who organises: the members listed among a series' organisers, and nobody else. Superusers are
not organisers on these pages — they run the site through the admin, which has its own
permissions; counting them here would put every series' holds, clash warnings and workspace
rows in front of someone who does not plan those dates. An event without a series has no
organiser: it is the admin's business. Every organiser page, feed and form asks
`organised_series()` or `organises()`, which both read `Series.organisers`.

A date hold is private to its series' organisers: anyone else gets 404 on every URL of a hold,
so its existence does not leak. A published or cancelled event is public, so changing one that
is not yours is a plain 403.

An organiser needs a second factor before any organiser page or hold (`community.mfa`): one
without is sent to set one up. The check comes after the organiser one, so everyone else still
gets their 403 or 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from community.mfa import require_second_factor
from events.models import Event, Series


def organised_series(user) -> QuerySet[Series]:
    """The series the user organises (none for anonymous visitors)."""
    if not user.is_authenticated:
        return Series.objects.none()
    return Series.objects.filter(organisers=user)


def organises(user, event: Event) -> bool:
    """Whether the user organises the event's series."""
    if not user.is_authenticated:
        return False
    return Event.objects.organised_by(user).filter(pk=event.pk).exists()


def visible_event_or_404(request: HttpRequest, slug: str, queryset=None) -> Event:
    """The event at `slug`, unless it is a date hold the visitor does not organise.

    Cancelled events keep their page (it says they are cancelled); only lists hide them.
    """
    queryset = Event.objects.all() if queryset is None else queryset
    event = get_object_or_404(queryset, slug=slug)
    check_visible(request, event)
    return event


def check_visible(request: HttpRequest, event: Event | None) -> None:
    """404 unless the event exists and the visitor may see it (see `visible_event_or_404`)."""
    if event is None:
        raise Http404
    if event.is_hold:
        if not organises(request.user, event):
            raise Http404
        require_second_factor(request.user)


def organiser_or_403(request: HttpRequest) -> None:
    """Organiser pages are for members who organise at least one series."""
    if not organised_series(request.user).exists():
        raise PermissionDenied
    require_second_factor(request.user)


def organised_series_or_403(request: HttpRequest, slug: str) -> Series:
    series = get_object_or_404(Series, slug=slug)
    if not organised_series(request.user).filter(pk=series.pk).exists():
        raise PermissionDenied
    require_second_factor(request.user)
    return series


def organised_event_or_403(request: HttpRequest, slug: str) -> Event:
    """An event or hold of a series the member organises; 404 for someone else's hold."""
    event = get_object_or_404(Event.objects.select_related("series", "venue"), slug=slug)
    if not organises(request.user, event):
        if event.is_hold:
            raise Http404
        raise PermissionDenied
    require_second_factor(request.user)
    return event
