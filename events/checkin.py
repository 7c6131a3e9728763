"""At the door: checking members in, walk-ins and guests, the counts, and the door passes.

A door pass is a check-in URL with a token that names nobody: an HMAC (Django signing, keyed
by `SECRET_KEY`) of the event and the member. Reading it means computing the token of each
member going to the event and comparing, a few hundred HMACs at most; nothing in the URL can
be decoded into a member id, and a token for one event opens nothing at another. A member who
stops going loses their pass with their seat; going again gives the same pass back.

Who may use the check-in page and the passes: the organisers of the event's series
(`events.access`). Marking arrived is idempotent: the first arrival time is kept.
"""

import io
import re
from dataclasses import dataclass

import segno
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from community.mail import absolute_url
from community.models import User
from events.cache import changed
from events.models import RSVP, Event, Guest

DOOR_SALT = "events.checkin.door-pass"
# 192 bits of the HMAC: far beyond guessing, and a short URL makes a small, easy-to-scan QR.
TOKEN_LENGTH = 32
TOKEN_FORMAT = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")  # whole token: `fullmatch`
# Search results and "other members" suggestions shown at once on a phone.
SEARCH_LIMIT = 200
WALK_IN_SUGGESTIONS = 8


def door_token(*, event: Event, member: User) -> str:
    return signing.Signer(salt=DOOR_SALT).signature(f"{event.pk}.{member.pk}")[:TOKEN_LENGTH]


def door_url(*, event: Event, member: User) -> str:
    """The absolute check-in URL the member's QR code encodes."""
    token = door_token(event=event, member=member)
    return absolute_url(reverse("events:door", args=[event.slug, token]))


def rsvp_for_token(*, event: Event, token: str) -> RSVP | None:
    """The going RSVP whose door pass is `token`, or None (forged, another event's, or the
    member no longer going)."""
    if not TOKEN_FORMAT.fullmatch(token):
        return None
    found = None
    for rsvp in event.rsvps.going().select_related("member__photo"):
        # Every candidate is compared, so the time taken says nothing about the token.
        if constant_time_compare(door_token(event=event, member=rsvp.member), token):
            found = rsvp
    return found


def qr_svg(url: str, *, label: str) -> SafeString:
    """The QR code of `url` as inline SVG (no style attribute: the CSP forbids them)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass=None
    )
    markup = mark_safe(svg)  # noqa: S308 - segno's own markup, drawn from the URL
    return format_html('<div class="qr" role="img" aria-label="{}">{}</div>', label, markup)


def qr_png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@dataclass
class Counts:
    going: int
    arrived: int
    guests: int

    @property
    def arrived_total(self) -> int:
        return self.arrived + self.guests

    @property
    def expected_total(self) -> int:
        return self.going + self.guests


def counts(event: Event) -> Counts:
    going = event.rsvps.going()
    return Counts(
        going=going.count(),
        arrived=going.filter(arrived_at__isnull=False).count(),
        guests=event.guests.count(),
    )


def _names_match(query: str, prefix: str = "") -> Q:
    """Every word of `query` in one of the member's names (`prefix`: the path to the member)."""
    condition = Q()
    for word in query.split():
        condition &= (
            Q(**{f"{prefix}display_name__icontains": word})
            | Q(**{f"{prefix}username__icontains": word})
            | Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
        )
    return condition


def door_list(event: Event, query: str = ""):
    """Going then waitlisted members whose name, username or email matches `query`."""
    rsvps = event.rsvps.active().filter(_names_match(query, "member__"))
    return rsvps.select_related("member__photo").order_by("status", "member__display_name", "pk")[
        :SEARCH_LIMIT
    ]


def walk_in_candidates(event: Event, query: str) -> list[User]:
    """Members matching `query` who have no going or waiting RSVP: possible walk-ins."""
    if not query.split():
        return []
    members = (
        User.objects.filter(is_active=True)
        .filter(_names_match(query))
        .exclude(pk__in=event.rsvps.active().values("member"))
    )
    return list(
        members.select_related("photo").order_by("display_name", "pk")[:WALK_IN_SUGGESTIONS]
    )


def mark_arrived(*, rsvp: RSVP) -> bool:
    """Check a going member in; False when they already were (the first time is kept)."""
    updated = RSVP.objects.filter(pk=rsvp.pk, arrived_at__isnull=True).update(
        arrived_at=timezone.now()
    )
    rsvp.refresh_from_db(fields=["arrived_at", "status"])
    if updated:
        changed()  # an update() fires no signal; attendance figures read `arrived_at`
    return bool(updated)


def undo_arrival(*, rsvp: RSVP) -> None:
    RSVP.objects.filter(pk=rsvp.pk).update(arrived_at=None)
    rsvp.arrived_at = None
    changed()


@transaction.atomic
def walk_in(*, event: Event, member: User) -> RSVP:
    """A member who came without a seat: going and arrived, whatever the capacity (they are
    in the room), ahead of the waitlist; the organiser at the door decides."""
    now = timezone.now()
    # Two organisers letting the same member in at once: one creates, the other finds it.
    rsvp, created = RSVP.objects.get_or_create(
        event=event,
        member=member,
        defaults={"status": RSVP.Status.GOING, "status_changed_at": now, "arrived_at": now},
    )
    if created:
        return rsvp
    rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
    if not rsvp.is_going:
        rsvp.status, rsvp.status_changed_at = RSVP.Status.GOING, now
    rsvp.arrived_at = rsvp.arrived_at or now
    rsvp.save(update_fields=["status", "status_changed_at", "arrived_at", "updated_at"])
    return rsvp


def add_guest(*, event: Event, name: str, by: User) -> Guest:
    return Guest.objects.create(event=event, name=name, added_by=by)


def remove_guest(*, event: Event, guest_id: int) -> bool:
    deleted, _ = Guest.objects.filter(event=event, pk=guest_id).delete()
    return bool(deleted)
