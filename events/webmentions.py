"""Recaps by Webmention (W3C Recommendation): a blog post that links to an event page tells us
so, and is listed under « Comptes rendus » on that page.

The endpoint (`events.views.webmention`) only checks that the target is one of our event pages
and queues `receive()`; the task fetches the source through the one fetcher, checks that it
still links to the event, reads its h-entry with mf2py (name, author, published, summary),
sanitises the summary with nh3, and stores or updates the `Recap`. A source that no longer
links to the event, or that is gone (404, 410), removes its recap. A recap is linked to the
author's profile when the post lives on a blog one member has verified as theirs.
"""

import logging

import nh3
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from community import pages
from community.fetch import FetchError, fetch
from community.identities import website_candidates
from community.mail import absolute_url
from community.models import Identity, Network
from community.verification import links_to
from events import cache
from events.models import Event, Recap

SUMMARY_TAGS = {"p", "br", "a", "em", "strong", "i", "b", "ul", "ol", "li", "blockquote", "code"}
SUMMARY_CHARS = 600
HTML_TYPES = {"text/html", "application/xhtml+xml", ""}
GONE = {404, 410}

logger = logging.getLogger(__name__)


def _first(props: dict, name: str):
    values = props.get(name) or [None]
    return values[0]


def _entry(parsed: dict) -> dict:
    """The page's first h-entry (at the top or inside another item), else {}."""
    stack = list(parsed.get("items", []))
    while stack:
        item = stack.pop(0)
        if "h-entry" in item.get("type", []):
            return item.get("properties", {})
        stack.extend(item.get("children", []))
    return {}


def _author(props: dict) -> tuple[str, str]:
    author = _first(props, "author")
    if isinstance(author, dict):
        inner = author.get("properties", {})
        name = _first(inner, "name") or author.get("value") or ""
        url = _first(inner, "url") or ""
        return str(name)[:120], str(url) if str(url).startswith(("http://", "https://")) else ""
    return (str(author)[:120] if author else ""), ""


def _summary(props: dict) -> str:
    summary = _first(props, "summary")
    if isinstance(summary, str) and summary.strip():
        return f"<p>{escape(summary.strip()[:SUMMARY_CHARS])}</p>"
    content = _first(props, "content")
    if isinstance(content, dict):
        html = content.get("html", "")
        if html and len(html) <= 4 * SUMMARY_CHARS:
            return nh3.clean(
                html,
                tags=SUMMARY_TAGS,
                attributes={"a": {"href"}},
                url_schemes={"http", "https"},
                link_rel="nofollow noopener ugc",
            )
        text = str(content.get("value", "")).strip()
        if text:
            cut = text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")
            return f"<p>{escape(cut)}</p>"
    return ""


def _verified_author(source: str):
    """The member who verified the blog the source is on, if any."""
    identity = (
        Identity.objects.filter(
            network=Network.WEBSITE,
            handle__in=website_candidates(source),
            verified_at__isnull=False,
            member__is_active=True,
        )
        .select_related("member")
        .first()
    )
    return identity.member if identity else None


def _remove(*, event: Event, source: str) -> None:
    deleted, _ = Recap.objects.filter(event=event, source=source).delete()
    if deleted:
        cache.changed()


@task()
def receive(*, source: str, event_id: int) -> str:
    """Check one webmention; returns the outcome (for the logs and tests)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return "gone"
    try:
        answer = fetch(source)
    except FetchError as error:
        logger.info("Webmention from %s not fetched: %s", source, error)
        if error.status in GONE:
            _remove(event=event, source=source)
            return "deleted"
        return error.reason
    if answer.content_type not in HTML_TYPES:
        _remove(event=event, source=source)
        return "not_html"
    html = answer.text()
    try:
        page = pages.read(html, base_url=answer.url)
        if not links_to(page.links, absolute_url(event.get_absolute_url())):
            _remove(event=event, source=source)
            return "no_link"
        # mf2py (with BeautifulSoup) is slow to import: loaded by the task that reads a
        # source, not by every process that loads the URLs.
        import mf2py  # noqa: PLC0415

        parsed = mf2py.parse(doc=html, url=answer.url, html_parser="html5lib")
    except (pages.TooComplex, RecursionError) as error:
        # Known to link to the event, but not readable: keep what an earlier check listed.
        logger.info("Webmention from %s not readable: %s", source, error)
        return "too_complex"
    props = _entry(parsed)
    name = _first(props, "name")
    content = _first(props, "content")
    content_text = content.get("value", "") if isinstance(content, dict) else ""
    # mf2py gives an entry without p-name its whole text as name: a title is short.
    title = name if isinstance(name, str) and name != content_text and len(name) <= 200 else ""
    author_name, author_url = _author(props)
    published = _first(props, "published")
    published = parse_datetime(published) if isinstance(published, str) else None
    if published is not None and timezone.is_naive(published):
        published = timezone.make_aware(published)
    with transaction.atomic():
        Recap.objects.update_or_create(
            event=event,
            source=source,
            defaults={
                "title": (title or page.title).strip()[:200],
                "author_name": author_name,
                "author_url": author_url[:500],
                "author": _verified_author(source),
                "published": published,
                "summary": _summary(props),
                "received_at": timezone.now(),
            },
        )
    return "listed"


def queue(*, source: str, event: Event) -> None:
    event_id = event.pk
    transaction.on_commit(lambda: receive.enqueue(source=source, event_id=event_id), robust=True)
