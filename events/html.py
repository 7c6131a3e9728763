"""Member-written text turned into safe HTML, and data embedded in pages."""

import html
import json
from urllib.parse import urlencode

import nh3
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import linebreaks
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# A small set of harmless tags: no scripts, styles, images, forms or attributes but links.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "code", "pre",
    "a", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def safe_description(text: str) -> SafeString:
    """Paragraphs and line breaks for plain text; any HTML is cleaned down to ALLOWED_TAGS."""
    paragraphs = linebreaks(text, autoescape=False)
    return mark_safe(  # noqa: S308 - nh3 has removed every tag and attribute not allowed
        nh3.clean(
            paragraphs,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow noopener noreferrer",
        )
    )


def plain_summary(text: str, length: int = 200) -> str:
    """The description as plain text (for meta tags and feeds' summaries)."""
    words = " ".join(html.unescape(nh3.clean(text, tags=set())).split())
    return words if len(words) <= length else words[: length - 1].rsplit(" ", 1)[0] + "…"


def json_ld(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` block: data, not code, so the CSP allows it."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def share_links(*, url: str, text: str) -> dict[str, str]:
    """Share links as plain addresses: no SDK, no request to those sites until one is
    followed. Mastodon has no one server: share₂fedi asks the member for theirs."""
    return {
        "mastodon": "https://s2f.kytta.dev/?" + urlencode({"text": f"{text} {url}"}),
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
    }
