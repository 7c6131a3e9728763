from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from community.photos import face
from events import cache
from events.access import organised_series

HEADER_FACE_SIZE = 32
PARTS = ("header", "footer")


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
        ctx["member_chrome"] = SimpleLazyObject(lambda: _member_chrome(request))
    return ctx


def _member_chrome(request: HttpRequest) -> dict:
    """A member's header and footer, rendered once per data version for each member, page
    and language (they cost as much as the rest of a page); the CSRF token of the logout
    form is this request's."""
    chrome = cache.personal(
        request, "chrome", request.get_full_path(), build=lambda: _render_chrome(request)
    )
    return {part: mark_safe(cache.with_csrf_token(chrome[part], request)) for part in PARTS}  # noqa: S308


def _render_chrome(request: HttpRequest) -> dict:
    chrome = {
        part: cache.without_csrf_token(render_to_string(f"includes/{part}.html", request=request))
        for part in PARTS
    }
    return chrome | {"valid_until": None}


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
