"""Access helpers: each returns the object a request may see, or raises 404/403."""

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
