"""Verified identities: a claim is verified when the account's page links back to the member's
profile here with `rel="me"`, as Mastodon verifies the links of a profile.

The check is a task (it fetches a page from outside, through `community/fetch.py`), queued when
a member adds an identity and when they ask for a new check. Blogs and websites are read as
HTML (`community/pages.py`, within its bounds); a Mastodon profile is asked for its
ActivityPub actor (the profile fields and the bio, where Mastodon keeps `rel="me"` links), and
read as HTML when the server sends a page instead; a Bluesky profile is read as HTML. X,
LinkedIn, Facebook, Viadeo and Flickr pages are built by script or behind a login: those
claims stay unverified.

A verified claim wins over the other members' claims of the same handle: imports match it
(`Identity.objects.standing()`), and the others' claims are marked as taken.
"""

import json
import logging
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from community import pages
from community.fetch import FetchError, fetch
from community.mail import absolute_url
from community.models import Identity, Network, User

VERIFIABLE_NETWORKS = {Network.MASTODON, Network.BLUESKY, Network.WEBSITE}
ACTIVITY_JSON = {"application/activity+json", "application/ld+json", "application/json"}

logger = logging.getLogger(__name__)


def profile_url(member: User) -> str:
    return absolute_url(member.get_absolute_url())


def _comparable(url: str) -> tuple[str, str]:
    """Host and path of a URL, whatever the scheme, case of the host or trailing slash."""
    try:
        parts = urlsplit(url.strip())
        return (parts.hostname or "").lower(), parts.path.rstrip("/")
    except ValueError:
        return "", ""


def links_to(urls: list[str], target: str) -> bool:
    wanted = _comparable(target)
    return any(_comparable(url) == wanted for url in urls)


def rel_me_links(html: str, *, base_url: str) -> list[str]:
    """The `rel="me"` links of an HTML page or fragment, made absolute; `TooComplex` for a
    page over the reading bounds."""
    return pages.read(html, base_url=base_url).rels.get("me", [])


def _actor_html(body: bytes) -> str:
    """The HTML fragments of an ActivityPub actor where rel="me" links live."""
    try:
        actor = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(actor, dict):
        return ""
    parts = [actor.get("summary")]
    attachments = actor.get("attachment")
    for field in attachments if isinstance(attachments, list) else []:
        if isinstance(field, dict):
            parts.append(field.get("value"))
    return "\n".join(p for p in parts if isinstance(p, str))


def page_links(identity: Identity) -> list[str]:
    """The rel="me" links of the identity's page; `FetchError` when it cannot be read."""
    accept = "text/html,application/xhtml+xml;q=0.9"
    if identity.network == Network.MASTODON:
        accept = "application/activity+json, " + accept
    answer = fetch(identity.url, accept=accept)
    if answer.content_type in ACTIVITY_JSON:
        return rel_me_links(_actor_html(answer.body), base_url=answer.url)
    return rel_me_links(answer.text(), base_url=answer.url)


@task()
def check_identity(*, identity_id: int) -> str:
    """Fetch the identity's page and record whether it links back; returns the outcome."""
    identity = Identity.objects.select_related("member").filter(pk=identity_id).first()
    if identity is None:
        return "gone"
    if identity.network not in VERIFIABLE_NETWORKS or not identity.url:
        return _record(identity, problem=Identity.Problem.NOT_CHECKABLE)
    try:
        links = page_links(identity)
    except FetchError as error:
        logger.info("Identity %s not checked: %s", identity.pk, error)
        # A page that cannot be read today keeps yesterday's verification.
        return _record(identity, problem=error.reason, withdraw=False)
    except pages.TooComplex:
        return _record(identity, problem=Identity.Problem.TOO_COMPLEX)
    if not links_to(links, profile_url(identity.member)):
        return _record(identity, problem=Identity.Problem.NO_LINK)
    return _verify(identity)


def _record(identity: Identity, *, problem: str, withdraw: bool = True) -> str:
    """An unsuccessful check: a page that no longer links back withdraws the verification."""
    changes = {"checked_at": timezone.now(), "check_problem": problem}
    if withdraw:
        changes["verified_at"] = None
    Identity.objects.filter(pk=identity.pk).update(**changes)
    return problem


def _verify(identity: Identity) -> str:
    now = timezone.now()
    try:
        with transaction.atomic():
            claims = list(
                Identity.objects.select_for_update()
                .filter(network=identity.network, handle=identity.handle)
                .order_by("pk")
            )
            if any(c.is_verified and c.member_id != identity.member_id for c in claims):
                raise IntegrityError("verified by another member")
            Identity.objects.filter(pk=identity.pk).update(
                verified_at=now, checked_at=now, check_problem=""
            )
            Identity.objects.filter(network=identity.network, handle=identity.handle).exclude(
                member=identity.member_id
            ).update(check_problem=Identity.Problem.TAKEN)
    except IntegrityError:
        return _record(identity, problem=Identity.Problem.TAKEN)
    return "verified"


def request_check(identity: Identity) -> None:
    """Queue a check of `identity` once the transaction that saved it commits."""
    identity_id = identity.pk
    transaction.on_commit(lambda: check_identity.enqueue(identity_id=identity_id), robust=True)
