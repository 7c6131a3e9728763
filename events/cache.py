"""Rendered fragments of the public pages, in Django's cache, keyed by a shared data version.

Every write to what those pages show (events, RSVPs, series, venues, links, meetings, ties,
the names, photos and privacy settings of members) replaces the data version, one integer in
the `default` cache, which every worker and server shares (PostgreSQL's cache table, or
Redis). Fragments live in the `fragments` cache under keys that carry that version, so a
write shows on the very next request everywhere, and nothing needs to be deleted: old
fragments are never asked for again and fall out of the cache.

Time changes pages too (an event that ends leaves the upcoming list, closes its RSVPs): each
fragment also stores the moment it stops being true, and is rendered again after it.

A member's own parts (`personal()`: the lines on their cards, whom they know going, their
header) are keyed by the same version and by the member, and stay in the worker's memory.

Signals cover `save()`, `delete()` and many-to-many changes. Code that writes with
`QuerySet.update()`, `bulk_create()` or raw SQL calls `changed()` itself.
"""

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils import timezone, translation

from community.models import Photo, Tie, User
from community.ties import ties_added
from events.models import RSVP, Event, EventLink, Meeting, Recap, Series, SeriesLink, Venue

VERSION_KEY = "rencontres:data-version"
# Whether this process read the version since it last changed it (see `changed()`).
_read_since_change = True
# Fragments of an old version are never read again; a day bounds what they occupy in Redis.
FRAGMENT_SECONDS = 24 * 3600
# Stands for the CSRF token in a member's page or header kept in this process's memory:
# random, so that no text a member types can contain it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
# The token of a form rendered by `{% csrf_token %}`.
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
# What a page served from the cache keeps of its response; the middleware adds the rest.
PAGE_HEADERS = ("Content-Type", "Content-Encoding", "Content-Length", "Vary")


def data_version(request: HttpRequest | None = None) -> int:
    """The current data version; read once per request when given the request."""
    if request is not None and hasattr(request, "_data_version"):
        return request._data_version
    version = caches["default"].get(VERSION_KEY)
    if version is None:
        version = _new_version()
        # Another process may have set one meanwhile: theirs wins, so that all agree.
        if not caches["default"].add(VERSION_KEY, version, timeout=None):
            version = caches["default"].get(VERSION_KEY, version)
    if request is not None:
        request._data_version = version
    global _read_since_change  # noqa: PLW0603 - one flag for the whole process
    _read_since_change = True
    return version


def changed(*, using: str | None = None) -> None:
    """Call after writing what the public pages show, when no model signal fires.

    Outside a transaction the write is committed: the version changes. Inside one, it changes
    at once (so that this process sees its own writes) and again when the transaction commits
    (a page another process rendered meanwhile, from data not yet committed, is then never
    served). Later writes in the same transaction change it again only if this process read it
    in between: deleting 5,000 ties costs two changes, not 5,000.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _bump()
        return
    first = not any(func is _bump for _, func, _ in connection.run_on_commit)
    if first or _read_since_change:
        _bump()
    if first:
        transaction.on_commit(_bump, using=using)


def _bump() -> None:
    # A fresh random value rather than +1: a version rolled back with a transaction (the
    # database cache) or evicted can never come back and resurrect old fragments.
    global _read_since_change  # noqa: PLW0603 - one flag for the whole process
    caches["default"].set(VERSION_KEY, _new_version(), timeout=None)
    _read_since_change = False


def _new_version() -> int:
    return secrets.randbits(62)


def fragment(request: HttpRequest, name: str, *parts, build: Callable[[], dict]) -> dict:
    """The pieces `build()` renders for `parts` at the current data version.

    `build()` returns a dict of rendered strings (or plain data that can be pickled) whose
    `valid_until` is the moment they stop being true (None: only a write changes them).
    Nothing in them may depend on the visitor, unless `parts` name the visitor.
    """
    return _pieces(_key(name, data_version(request), *parts), build, _read, _write)


def personal(request: HttpRequest, name: str, *parts, build: Callable[[], dict]) -> dict:
    """Like `fragment()`, for the member logged in: what `build()` computes for them alone
    (their RSVPs, the people they know going). Kept in this worker's memory only: a member's
    pieces are asked for by that member, and every server keeps its own. The data version
    keys them, so the next write anywhere is seen on the very next request."""
    key = _key(name, data_version(request), request.user.pk, *parts)
    return _pieces(key, build, caches["local"].get, _write_local)


def _pieces(key: str, build: Callable[[], dict], read, write) -> dict:
    pieces = read(key)
    if pieces is None or not _still_true(pieces["valid_until"]):
        pieces = build()
        write(key, pieces)
    return pieces


def _write_local(key: str, value) -> None:
    caches["local"].set(key, value, FRAGMENT_SECONDS)


def page(
    request: HttpRequest, render: Callable[[], tuple[HttpResponse, dt.datetime | None]]
) -> HttpResponse:
    """The whole page at this data version; `render()` on a miss.

    `render()` returns the response and the moment it stops being true. Visitors who are not
    logged in share one copy per address and language; a member has their own, in the
    worker's memory, with the CSRF token of each request put in at its place. A page with a
    message (shown once) is never kept.
    """
    if len(get_messages(request)):
        return render()[0]
    if request.user.is_authenticated:
        return _member_page(request, render)
    return _visitor_page(request, render)


def _visitor_page(request: HttpRequest, render) -> HttpResponse:
    """Only pages without a CSRF token or a cookie are kept: those are the same for every
    visitor of that address in that language. They are kept compressed for browsers that
    accept gzip, so that GZipMiddleware does not compress the same page on every request."""
    gzip = bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    key = _key("page", data_version(request), request.build_absolute_uri(), gzip)
    found = _read(key)
    if found is not None and _still_true(found[0]):
        return _response(found[1], found[2])
    response, valid_until = render()
    shared = not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not response.cookies
    if response.status_code == 200 and shared:
        response = GZipMiddleware(lambda request: response).process_response(request, response)
        _write(key, (valid_until, response.content, _headers(response)))
    return response


def _member_page(request: HttpRequest, render) -> HttpResponse:
    key = _key("member-page", data_version(request), request.user.pk, request.build_absolute_uri())
    found = caches["local"].get(key)
    if found is not None and _still_true(found[0]):
        return _response(with_csrf_token(found[1], request), found[2])
    response, valid_until = render()
    if response.status_code == 200 and not response.cookies:
        html = without_csrf_token(response.content.decode())
        _write_local(key, (valid_until, html, _headers(response)))
    return response


def without_csrf_token(html: str) -> str:
    """`html` with `CSRF_PLACEHOLDER` for its forms' tokens, to be kept."""
    return CSRF_VALUE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", html)


def with_csrf_token(html: str, request: HttpRequest) -> str:
    """`html` kept with `CSRF_PLACEHOLDER` for its forms' tokens, with this request's token."""
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def _response(content, headers: dict) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _headers(response: HttpResponse) -> dict:
    return {name: response[name] for name in PAGE_HEADERS if response.has_header(name)}


def _read(key: str):
    """A fragment from the shared `fragments` cache, through this worker's memory when that
    cache is Redis (a key carries the data version: its content never changes)."""
    if _fragments_in_memory():
        return caches["fragments"].get(key)
    found = caches["local"].get(key)
    if found is None:
        found = caches["fragments"].get(key)
        if found is not None:
            _write_local(key, found)
    return found


def _write(key: str, value) -> None:
    caches["fragments"].set(key, value, FRAGMENT_SECONDS)
    if not _fragments_in_memory():
        _write_local(key, value)


def _fragments_in_memory() -> bool:
    return isinstance(caches["fragments"], LocMemCache)


def _still_true(valid_until: dt.datetime | None) -> bool:
    return valid_until is None or timezone.now() < valid_until


def _key(name: str, version: int, *parts) -> str:
    context = (translation.get_language(), timezone.get_current_timezone_name(), *parts)
    digest = hashlib.sha256(repr(context).encode()).hexdigest()[:32]
    return f"{name}:{version}:{digest}"


def earliest(moments) -> dt.datetime | None:
    """The first of `moments` still to come, if any: when a page built now changes."""
    now = timezone.now()
    return min((m for m in moments if m is not None and m > now), default=None)


def _on_write(sender, **kwargs) -> None:
    changed(using=kwargs.get("using"))


def on_migrate(sender, using=None, **kwargs) -> None:
    changed(using=using)


def _on_user_saved(sender, update_fields=None, **kwargs) -> None:
    # Logging in saves `last_login` only, which no page shows.
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    changed(using=kwargs.get("using"))


# Every tie made or removed changes whom its members know among those going (cards, event
# pages, the people view); a meeting or a removed tie, a series' "ties turned into meetings"
# figures too. A new or removed photo changes every face of its member (lists, the header).
for model in (Event, RSVP, Series, SeriesLink, Venue, EventLink, Meeting, Recap, Photo, Tie):
    post_save.connect(_on_write, sender=model, dispatch_uid=f"events.cache.save.{model.__name__}")
for model in (Event, RSVP, Series, SeriesLink, Venue, EventLink, Meeting, Recap, Tie, User, Photo):
    post_delete.connect(
        _on_write, sender=model, dispatch_uid=f"events.cache.delete.{model.__name__}"
    )
post_save.connect(_on_user_saved, sender=User, dispatch_uid="events.cache.save.User")
# A confirmed import writes its ties with `bulk_create()`, which sends no `post_save`, and
# sends `ties_added` instead (`community.imports.confirm_import`). Undoing the import deletes
# the ties with the batch, a cascade that sends each tie's `post_delete`.
ties_added.connect(_on_write, dispatch_uid="events.cache.ties_added")
m2m_changed.connect(
    _on_write, sender=Series.organisers.through, dispatch_uid="events.cache.organisers"
)
