"""Access helpers: each returns the object a view asked for, or raises 404/403."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from events.models import Event, Series


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
