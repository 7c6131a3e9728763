from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from community.photos import face
from events import cache
from events.access import organised_series

HEADER_FACE_SIZE = 32


def chrome(request: HttpRequest) -> dict:
    """The series colours stylesheet (versioned by the data version) and, for a member, what
    the header shows of them: their face and whether they organise, read once per data
    version rather than queried on every page."""
    ctx = {
        "series_colours_url": SimpleLazyObject(
            lambda: f"{reverse('events:series_colours')}?v={cache.data_version(request)}"
        )
    }
    if request.user.is_authenticated:
        ctx["header_member"] = SimpleLazyObject(lambda: _header_member(request))
    return ctx


def _header_member(request: HttpRequest) -> dict:
    user = request.user
    return cache.fragment(
        request,
        "header-member",
        user.pk,
        build=lambda: {
            "face": face(user, HEADER_FACE_SIZE),
            "is_organiser": organised_series(user).exists(),
            "valid_until": None,
        },
    )
