"""Access helpers: each returns the object a request may see or change, or raises 404/403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from events.models import Event, Series


def organises(user, event: Event) -> bool:
    """Whether the user organises the event's series (or runs the site)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if event.series_id is None:
        return event.created_by_id == user.pk
    return Series.organisers.through.objects.filter(
        series_id=event.series_id, user_id=user.pk
    ).exists()


def visible_event_or_404(request: HttpRequest, slug: str, queryset=None) -> Event:
    """The event at `slug`, unless it is a date hold the visitor does not organise.

    Cancelled events keep their page (it says they are cancelled); only lists hide them.
    """
    queryset = Event.objects.all() if queryset is None else queryset
    event = get_object_or_404(queryset, slug=slug)
    if event.is_hold and not organises(request.user, event):
        raise Http404
    return event


def organiser_or_403(request: HttpRequest) -> None:
    """Organiser pages are for members who organise at least one series."""
    if not request.user.is_authenticated or not request.user.organised_series.exists():
        raise PermissionDenied


def organised_series_or_403(request: HttpRequest, slug: str) -> Series:
    series = get_object_or_404(Series, slug=slug)
    if not series.organisers.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    return series


def event_for_organiser_or_403(request: HttpRequest, slug: str) -> Event:
    """An event (or hold) of a series the member organises; events without a series are
    the admin's business."""
    event = get_object_or_404(Event.objects.select_related("series", "venue"), slug=slug)
    if event.series is None or not event.series.organisers.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    return event
