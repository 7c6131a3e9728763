"""No URL of the site answers 500, whatever the path or the query string holds.

Every URL pattern (walked from the resolver, the admin aside) is filled with generated text —
NUL and other control characters, unicode, very long values, `../` — or with the real slug,
username, pk or token of a row, and requested with generated query strings (the keys the
pages read plus random ones) as anonymous, a member and an organiser.
"""

import re
import string
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.models import Identity, Tie
from events import rsvps
from tests.conftest import make_event, make_member, make_organiser

# The keys that views read from request.GET.
KNOWN_KEYS = ["series", "city", "page", "next", "count", "day", "month"]
ODD = [
    "\x00",
    "a\x00b",
    "\n",
    "\x7f",
    "../",
    "../../etc/passwd",
    "%00",
    "%",
    "é",
    "Ωmega",
    "😀",
    "\ud7ff",
    "x" * 3000,
    "-1",
    "0",
    "9" * 30,
    "2027-02-30",
    "2027-13",
    "<script>",
    "'",
    " ",
    "",
]
# Printable text and any code point outside the surrogates (which no URL can carry).
TEXT = st.one_of(
    st.sampled_from(ODD),
    st.text(alphabet=string.printable, max_size=20),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20),
)


def _template(pattern) -> str:
    """A pattern as text with `{name}` where a value goes."""
    if isinstance(pattern, RegexPattern):
        text = pattern._regex.lstrip("^").rstrip("$")
        return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name != "admin":  # Django's own, staff only
                yield from _walk(entry.url_patterns, prefix + _template(entry.pattern))
        else:
            yield "/" + prefix + _template(entry.pattern)


ROUTES = sorted(set(_walk(get_resolver().url_patterns)))


@pytest.fixture
def site(db, series, venue):
    """A little of everything the routes name: events past and upcoming, ties, identities."""
    organiser = make_organiser("orla", series)
    member = make_member("camille", city="Lille")
    other = make_member("olivier")
    upcoming = make_event(series=series, venue=venue, capacity=1)
    past = make_event(title="Soirée passée", series=series, venue=venue, days=-30)
    rsvps.rsvp(event=upcoming, member=member, going=True)
    rsvps.rsvp(event=upcoming, member=other, going=True)  # waitlisted: capacity 1
    identity = Identity.objects.create(member=member, network="mastodon", handle="@c@m.social")
    tie = Tie.objects.create(from_member=member, to_member=other, network="mastodon")
    # The real values, by the name of the placeholder they fill.
    named = {
        "slug": [upcoming.slug, past.slug, series.slug],
        "username": [member.username, organiser.username],
        "token": [member.calendar_token, organiser.calendar_token],
        "pk": [str(identity.pk), str(tie.pk)],
        "code": ["fr", "en"],
    }
    known = [value for values in named.values() for value in values]
    return {"organiser": organiser, "member": member, "known": known, "named": named}


def _visitor(site, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(site[actor])
    return client


def _requests_for(route: str, known: list[str]):
    """Generated URLs for one route: its placeholders filled, a query string added."""
    names = re.findall(r"\{(\w+)\}", route)
    value = st.one_of(TEXT, st.sampled_from(known))
    query = st.lists(
        st.tuples(st.one_of(st.sampled_from(KNOWN_KEYS), TEXT), st.one_of(TEXT, value)),
        max_size=3,
    )

    def url(values, pairs) -> str:
        path = route.format(**{name: quote(text, safe="") for name, text in values.items()})
        return f"{path}?{urlencode(pairs)}" if pairs else path

    return st.builds(url, st.fixed_dictionaries(dict.fromkeys(names, value)), query), names


def test_no_generated_request_gives_a_server_error(site):
    # One test for every route, so that the rows above are made once.
    visitors = [_visitor(site, actor) for actor in ("anonymous", "member", "organiser")]
    for route in ROUTES:
        urls, names = _requests_for(route, site["known"])

        @settings(
            # ~600 requests in all: the test stays well under 20 s on a quiet machine.
            max_examples=4 if names else 2,
            derandomize=True,  # the same examples every run: a failure is reproducible
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(url=urls)
        def check(url):
            for client in visitors:
                response = client.get(url)
                assert response.status_code != 500, url

        check()


# Form fields as pages write them: <input name=…>, <select name=…>, <textarea name=…> and
# <button name=…> (the RSVP answers).
FIELD = re.compile(r'<(?:input|select|textarea|button)\b[^>]*?\bname="([^"]+)"')
# Fields of forms that only a POST shows (the import confirmation after an upload).
POSTED_FORMS_FIELDS = {"token"}


def _fill(route: str, known: list[str]):
    """A route's placeholders filled, mostly with real slugs, usernames, pks and tokens."""
    names = re.findall(r"\{(\w+)\}", route)
    value = st.one_of(st.sampled_from(known), st.sampled_from(known), TEXT)
    return st.builds(
        lambda values: route.format(**{k: quote(v, safe="") for k, v in values.items()}),
        st.fixed_dictionaries(dict.fromkeys(names, value)),
    )


def _real_values(names: list[str], site) -> list[str]:
    """The real values that may fill a route's placeholders (each in all of them): those of
    their names (a slug for `{slug}`), or every known value for a name not in `named`. The
    others answer 404 and show no form the 404 page does not."""
    if all(name in site["named"] for name in names):
        return list(dict.fromkeys(v for name in names for v in site["named"][name]))
    return site["known"]


def _fields_of_every_form(site, visitors) -> list[str]:
    """The names of the fields of every form the pages show, to any of the visitors."""
    fields = set()
    for route in ROUTES:
        names = re.findall(r"\{(\w+)\}", route)
        for known in _real_values(names, site) if names else [None]:
            url = route.format(**dict.fromkeys(names, quote(known or "", safe="")))
            for client in visitors.values():
                response = client.get(url)
                if response.get("Content-Type", "").startswith("text/html"):
                    fields.update(FIELD.findall(response.content.decode()))
    return sorted((fields | POSTED_FORMS_FIELDS) - {"csrfmiddlewaretoken"})


def test_no_generated_form_post_gives_a_server_error(site):
    """Generated values posted to every route, in the fields of every form of the site (and
    made-up ones), as anonymous, a member and an organiser."""
    visitors = {actor: _visitor(site, actor) for actor in ("anonymous", "member", "organiser")}
    fields = _fields_of_every_form(site, visitors)
    assert {"answer", "password", "token", "title", "capacity", "email"} <= set(fields)
    data = st.dictionaries(
        st.one_of(st.sampled_from(fields), TEXT),
        st.one_of(TEXT, st.sampled_from(site["known"]), st.sampled_from(["1", "on", "going"])),
        max_size=8,
    )
    for route in ROUTES:
        if route.startswith("/accounts/logout"):
            continue  # it would only log the visitors out for the routes after it

        @settings(
            max_examples=2,  # ~1,000 posts in all
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(url=_fill(route, site["known"]), form=data)
        def check(url, form):
            for actor, client in visitors.items():
                response = client.post(url, form)
                assert response.status_code != 500, (actor, url, form)

        check()
