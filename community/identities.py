"""Normalising what members type about their online accounts into one key per network.

`@nick`, `nick`, `https://twitter.com/nick` and `x.com/Nick/` all become the X handle `nick`;
`@nick@mastodon.social` and `https://mastodon.social/@nick` the Mastodon handle
`nick@mastodon.social`; a blog is `host/path` without scheme, `www.` or trailing slash.
Imports normalise the entries of export files with the same functions, so a match is an
equality on `Identity.handle`.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.models import Network

X_HANDLE = re.compile(r"^[a-z0-9_]{1,15}$")
MASTODON_USER = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,63}$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
SLUG = re.compile(r"^[\w.-]{2,100}$")
FACEBOOK_NAME = re.compile(r"^[a-z0-9.]{3,80}$")
FLICKR_NAME = re.compile(r"^[\w@.-]{2,80}$")

X_HOSTS = {"twitter.com", "x.com", "mobile.twitter.com", "mobile.x.com"}
BLUESKY_HOSTS = {"bsky.app"}
LINKEDIN_HOST = re.compile(r"^([a-z]{2,3}\.)?linkedin\.com$")
FACEBOOK_HOSTS = {"facebook.com", "fb.com", "m.facebook.com"}
VIADEO_HOSTS = {"viadeo.com", "fr.viadeo.com"}
FLICKR_HOSTS = {"flickr.com"}


@dataclass(frozen=True)
class Normalised:
    handle: str
    url: str


def _split(value: str) -> tuple[str, list[str], str]:
    """Host (lowercase, no `www.`), path segments and query of a URL, with or without scheme."""
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError as error:
        raise ValidationError(_("This address is not valid."), code="invalid") from error
    host = host.removeprefix("www.")
    segments = list(filter(None, parts.path.split("/")))
    if "%" in parts.path:
        segments = [unquote(s) for s in segments]
    return host, segments, parts.query


def _looks_like_url(value: str) -> bool:
    return "://" in value or "/" in value


def normalise_x(value: str) -> Normalised:
    text = value.strip()
    if _looks_like_url(text):
        host, segments, _query = _split(text)
        if host not in X_HOSTS or not segments:
            raise ValidationError(
                _("Enter an X handle like @nick or an address like https://x.com/nick."),
                code="invalid",
            )
        text = segments[0]
    handle = text.removeprefix("@").lower()
    if not X_HANDLE.match(handle):
        raise ValidationError(
            _("An X handle has 1 to 15 letters, digits or underscores."), code="invalid"
        )
    return Normalised(handle, f"https://x.com/{handle}")


def normalise_mastodon(value: str) -> Normalised:
    text = value.strip()
    if "://" in text or ("/" in text and not text.startswith("@")):
        host, segments, _query = _split(text)
        user = ""
        if segments and segments[0].startswith("@"):
            user = segments[0][1:]
        elif len(segments) >= 2 and segments[0] == "users":
            user = segments[1]
        if not user or not host:
            raise ValidationError(
                _("Enter a Mastodon address like @nick@instance or https://instance/@nick."),
                code="invalid",
            )
    else:
        user, _sep, host = text.removeprefix("@").partition("@")
    user, host = user.lower(), host.lower().strip()
    if not host:
        raise ValidationError(
            _("A Mastodon address names its server too, like @nick@mastodon.social."),
            code="invalid",
        )
    if not MASTODON_USER.match(user) or not HOSTNAME.match(host):
        raise ValidationError(
            _("Enter a Mastodon address like @nick@instance or https://instance/@nick."),
            code="invalid",
        )
    return Normalised(f"{user}@{host}", f"https://{host}/@{user}")


def normalise_bluesky(value: str) -> Normalised:
    text = value.strip()
    if "://" in text or "/" in text:
        host, segments, _query = _split(text)
        if host not in BLUESKY_HOSTS or len(segments) < 2 or segments[0] != "profile":
            raise ValidationError(
                _("Enter a Bluesky handle like @nick.bsky.social or its bsky.app address."),
                code="invalid",
            )
        text = segments[1]
    handle = text.removeprefix("@").lower()
    if "." not in handle:
        handle = f"{handle}.bsky.social"
    if not HOSTNAME.match(handle):
        raise ValidationError(
            _("Enter a Bluesky handle like @nick.bsky.social or its bsky.app address."),
            code="invalid",
        )
    return Normalised(handle, f"https://bsky.app/profile/{handle}")


def normalise_linkedin(value: str) -> Normalised:
    text = value.strip()
    if _looks_like_url(text):
        host, segments, _query = _split(text)
        if not LINKEDIN_HOST.match(host) or len(segments) < 2 or segments[0] != "in":
            raise ValidationError(
                _("Enter a LinkedIn profile address like linkedin.com/in/your-name."),
                code="invalid",
            )
        slug = segments[1]
    else:
        slug = unquote(text)
    slug = slug.lower()
    if not SLUG.match(slug):
        raise ValidationError(
            _("Enter a LinkedIn profile address like linkedin.com/in/your-name."), code="invalid"
        )
    return Normalised(slug, f"https://www.linkedin.com/in/{quote(slug)}")


def normalise_facebook(value: str) -> Normalised:
    text = value.strip()
    if _looks_like_url(text):
        host, segments, query = _split(text)
        if host not in FACEBOOK_HOSTS or not segments:
            raise ValidationError(
                _("Enter a Facebook profile address like facebook.com/your.name."),
                code="invalid",
            )
        if segments[0] == "profile.php":
            match = re.search(r"(?:^|&)id=(\d+)", query)
            if not match:
                raise ValidationError(
                    _("Enter a Facebook profile address like facebook.com/your.name."),
                    code="invalid",
                )
            number = match.group(1)
            return Normalised(number, f"https://www.facebook.com/profile.php?id={number}")
        text = segments[0]
    name = text.removeprefix("@").lower()
    if name.isdigit():
        return Normalised(name, f"https://www.facebook.com/profile.php?id={name}")
    if not FACEBOOK_NAME.match(name):
        raise ValidationError(
            _("Enter a Facebook profile address like facebook.com/your.name."), code="invalid"
        )
    return Normalised(name, f"https://www.facebook.com/{name}")


def normalise_viadeo(value: str) -> Normalised:
    text = value.strip()
    if _looks_like_url(text):
        host, segments, _query = _split(text)
        slug = ""
        if host in VIADEO_HOSTS:
            # viadeo.com/fr/profile/<slug>, viadeo.com/p/<slug>
            if "profile" in segments and segments.index("profile") + 1 < len(segments):
                slug = segments[segments.index("profile") + 1]
            elif len(segments) >= 2 and segments[0] == "p":
                slug = segments[1]
        text = slug
    slug = text.lower()
    if not SLUG.match(slug):
        raise ValidationError(
            _("Enter a Viadeo profile address like viadeo.com/p/your-name."), code="invalid"
        )
    return Normalised(slug, f"https://viadeo.com/p/{quote(slug)}")


def normalise_flickr(value: str) -> Normalised:
    text = value.strip()
    if _looks_like_url(text):
        host, segments, _query = _split(text)
        name = ""
        if host in FLICKR_HOSTS and len(segments) >= 2 and segments[0] in ("people", "photos"):
            name = segments[1]
        text = name
    name = text.removeprefix("@").lower()
    if not FLICKR_NAME.match(name):
        raise ValidationError(
            _("Enter a Flickr address like flickr.com/people/your-name."), code="invalid"
        )
    return Normalised(name, f"https://www.flickr.com/people/{quote(name)}")


def normalise_website(value: str) -> Normalised:
    text = value.strip()
    scheme = "https"
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ValidationError(_("A website address starts with http or https."), "invalid")
    host, segments, _query = _split(text)
    try:
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValidationError(_("This address is not valid."), code="invalid") from error
    if not HOSTNAME.match(host):
        raise ValidationError(
            _("Enter a website address like https://myblog.example."), code="invalid"
        )
    path = "/".join(segments).lower()
    handle = f"{host}/{path}" if path else host
    if len(handle) > 255:
        raise ValidationError(_("This address is too long."), code="invalid")
    return Normalised(handle, f"{scheme}://{handle}/" if not path else f"{scheme}://{handle}")


NORMALISERS = {
    Network.X: normalise_x,
    Network.MASTODON: normalise_mastodon,
    Network.BLUESKY: normalise_bluesky,
    Network.LINKEDIN: normalise_linkedin,
    Network.FACEBOOK: normalise_facebook,
    Network.VIADEO: normalise_viadeo,
    Network.FLICKR: normalise_flickr,
    Network.WEBSITE: normalise_website,
}


def normalise(network: str, value: str) -> Normalised:
    """The identity key for `value` on `network`; raises ValidationError with a clear message."""
    if network not in NORMALISERS:
        raise ValidationError(_("Choose a network from the list."), code="invalid")
    if not value or not value.strip():
        raise ValidationError(_("Enter a handle or an address."), code="required")
    if len(value) > 500:
        raise ValidationError(_("This address is too long."), code="invalid")
    return NORMALISERS[network](value)


# A member declares a site (`blog.example`) or a part of one (`host.example/~nick/blog`): parents
# deeper than this are not worth a lookup, and a crafted URL could have a hundred of them.
CANDIDATE_PARENT_DEPTH = 2


def website_candidates(value: str) -> list[str]:
    """Keys a feed or site URL may match: itself, then its parents of at most two path segments.

    A blogroll lists `https://blog.example/feed/`; the member declared `blog.example`. At most
    `CANDIDATE_PARENT_DEPTH + 2` keys, nearest first.
    """
    try:
        handle = normalise(Network.WEBSITE, value).handle
    except ValidationError:
        return []
    # The host, the first segments, and the rest of the path in one piece.
    parts = handle.split("/", CANDIDATE_PARENT_DEPTH + 1)
    depths = range(min(len(parts) - 2, CANDIDATE_PARENT_DEPTH), -1, -1)
    return [handle, *("/".join(parts[: depth + 1]) for depth in depths)]
