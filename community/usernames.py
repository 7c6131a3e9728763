"""Usernames: the name in a member's profile URL (`/members/<username>/`).

Chosen at sign-up (suggested from the display name, never from the email address, whose
local part would become public), changeable later. A member's old usernames stay theirs and
redirect to the current one (`FormerUsername`), so links shared before a rename keep working
and never lead to another member. Words the site's URLs use (`me`, …) are refused.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from community.models import FormerUsername, User

MIN_LENGTH, MAX_LENGTH = 2, 30
PATTERN = re.compile(rf"^[a-z0-9](?:[a-z0-9-]{{0,{MAX_LENGTH - 2}}}[a-z0-9])?$")
# Names that are, or could become, pages of the site rather than members.
RESERVED = frozenset(
    {
        "me", "moi", "admin", "administrateur", "administrator", "root", "staff", "support",
        "help", "aide", "contact", "about", "accounts", "account", "compte", "login", "logout",
        "signup", "settings", "reglages", "new", "edit", "delete", "members", "membres",
        "member", "membre", "organise", "organiser", "organisateur", "events", "series", "api",
        "static", "media", "feed", "calendar", "rencontres", "www", "mail", "email",
        "noreply", "null", "none", "undefined", "anonymous", "anonyme", "system", "moderator",
    }
)  # fmt: skip
FALLBACK = "membre"


def normalise(username: str) -> str:
    """What a member typed, as a username is written: "Camille " is `camille`."""
    return username.strip().lower()


def check(username: str, *, member: User | None = None) -> str:
    """The username, if `member` (None: someone signing up) may take it; else ValidationError."""
    if not MIN_LENGTH <= len(username) <= MAX_LENGTH:
        raise ValidationError(
            _("A username has %(min)s to %(max)s characters."),
            code="length",
            params={"min": MIN_LENGTH, "max": MAX_LENGTH},
        )
    if not PATTERN.match(username):
        raise ValidationError(
            _(
                "Use lower-case letters without accents, digits and hyphens only (not at the "
                "start or the end), for example camille-dupont."
            ),
            code="invalid",
        )
    if username in RESERVED:
        raise ValidationError(_("This name is reserved for the site's pages."), code="reserved")
    if is_taken(username, member=member):
        raise ValidationError(_("This username is taken."), code="taken")
    return username


def _not_theirs(member: User | None):
    """Everyone else's current and former usernames, as two querysets."""
    if member is None:
        return User.objects.all(), FormerUsername.objects.all()
    return User.objects.exclude(pk=member.pk), FormerUsername.objects.exclude(member=member)


def is_taken(username: str, *, member: User | None = None) -> bool:
    """Someone else's username, now or before."""
    others, former = _not_theirs(member)
    return (
        others.filter(username__iexact=username).exists()
        or former.filter(username__iexact=username).exists()
    )


def suggest(display_name: str, *, member: User | None = None) -> str:
    """A free username made from the display name: "Élodie Martin" → `elodie-martin`, or
    `elodie-martin-2` when that one is taken."""
    base = slugify(display_name).replace("_", "-").strip("-")[:MAX_LENGTH].strip("-")
    if len(base) < MIN_LENGTH or base in RESERVED:
        base = FALLBACK
    used = {name.lower() for name in _names_starting_with(base, member=member)}
    candidate, n = base, 2
    while candidate in used:
        suffix = f"-{n}"
        candidate = base[: MAX_LENGTH - len(suffix)].strip("-") + suffix
        n += 1
    return candidate


def _names_starting_with(prefix: str, *, member: User | None) -> list[str]:
    others, former = _not_theirs(member)
    short = prefix[: MAX_LENGTH - 4]  # a truncated base still shares this much
    return [
        *others.filter(username__istartswith=short).values_list("username", flat=True),
        *former.filter(username__istartswith=short).values_list("username", flat=True),
    ]


def rename(*, member: User, username: str) -> None:
    """Gives `member` a new username; the old one keeps redirecting to their profile."""
    old = member.username
    if username == old:
        return
    with transaction.atomic():
        # Taking back one of their own former names: it is current again.
        FormerUsername.objects.filter(member=member, username__iexact=username).delete()
        FormerUsername.objects.get_or_create(member=member, username=old)
        member.username = username
        member.save(update_fields=["username"])


def current_member(username: str) -> User | None:
    """The active member who once had `username` (None: nobody, or they left)."""
    former = (
        FormerUsername.objects.filter(username__iexact=username, member__is_active=True)
        .select_related("member")
        .first()
    )
    return former.member if former else None
