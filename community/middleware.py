"""Request hygiene: refuse what no page of the site can mean before a view sees it."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver

from community.text import has_control_characters


class RefuseControlCharactersMiddleware:
    """No URL of the site holds a control character, and PostgreSQL refuses NUL in text: a
    path with one names no page (404), a query string with NUL is malformed (400). Placed
    after the authentication middleware so that both pages carry the visitor's chrome."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request.path):
            raise Http404("Control characters in the path.")
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                # The site's 400 page, answered rather than raised: a raised BadRequest is
                # logged with its traceback, and robots send these by the thousand.
                bad_request = get_resolver().resolve_error_handler(400)
                return bad_request(request, BadRequest("NUL in the query string."))
        return self.get_response(request)
