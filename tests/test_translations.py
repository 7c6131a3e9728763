"""Every page reads in one language: no English left on French pages, no French on English ones.

Each page is rendered in French and in English as the actor who sees most of it. Its visible
text (text nodes, the text of each element, and the `title`, `alt`, `aria-label` and
`placeholder` attributes; never scripts, styles or parts marked with another `lang`) is
compared with the French catalogue: on a French page no msgid whose French differs may stand
as a whole text, on an English page no such French msgstr. Strings with placeholders match
with any data in their place. The test data's names and titles are not catalogue strings.
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from community.models import Identity, Network, Tie, User
from events.models import (
    RSVP,
    Event,
    EventLink,
    ExternalEvent,
    Meeting,
    Recap,
    RivalFeed,
    Series,
    Venue,
)
from tests.conftest import make_event, make_member, reauthenticate
from tests.events.organising import paris

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
NOW = paris(2026, 11, 18, 12)
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]")


def normalise(text: str) -> str:
    return " ".join(text.split())


def catalogue_pairs(path: Path = CATALOGUE) -> list[tuple[str, str]]:
    """(English, French) for every entry, each plural form apart; French is "" when missing.

    A fuzzy translation counts as missing: it is not compiled, so the page shows the English.
    """
    pairs = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line):
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if not fields.get("msgid"):
            continue  # the header
        fuzzy = re.search(r"^#,.*\bfuzzy\b", block, flags=re.MULTILINE) is not None
        if "msgid_plural" in fields:
            forms = sorted(k for k in fields if k.startswith("msgstr["))
            for index, form in enumerate(forms):
                english = fields["msgid"] if index == 0 else fields["msgid_plural"]
                pairs.append((english, "" if fuzzy else fields[form]))
        else:
            pairs.append((fields["msgid"], "" if fuzzy else fields.get("msgstr", "")))
    return pairs


def visible(text: str) -> str:
    """A catalogue string as a reader sees it: markup dropped, spaces collapsed."""
    return normalise(re.sub(r"<[^>]+>", "", text).replace("%%", "%"))


def matcher(text: str):
    """Exact text, or a pattern when the string has placeholders and words of its own."""
    if not PLACEHOLDER.search(text):
        return text
    literal = PLACEHOLDER.sub(" ", text)
    if not re.search(r"[^\W\d_]{3}", literal):
        return None  # only placeholders and punctuation: it would match any text
    parts = [re.escape(normalise(p)) for p in PLACEHOLDER.split(text)]
    return re.compile(r"\s*.+?\s*".join(parts).strip())


class Strings:
    """The strings that must not stand on a page of one language, with what gives them away."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.exact: dict[str, str] = {}
        self.patterns: list[tuple[re.Pattern, str]] = []
        for text, source in pairs:
            found = matcher(text)
            if isinstance(found, str):
                self.exact[found] = source
            elif found is not None:
                self.patterns.append((found, source))

    def found_in(self, texts: set[str]) -> set[str]:
        found = {self.exact[t] for t in texts if t in self.exact}
        for pattern, source in self.patterns:
            found.update(source for t in texts if pattern.fullmatch(t))
        return found


def wrong_language_strings() -> dict[str, Strings]:
    pairs = [(visible(en), visible(fr)) for en, fr in catalogue_pairs()]
    pairs = [(en, fr) for en, fr in pairs if en != fr and re.search(r"[^\W\d_]", en)]
    english, french = {en for en, _fr in pairs}, {fr for _en, fr in pairs if fr}
    return {
        # A string both languages share (one entry's English is another's French) gives no sign.
        "fr": Strings([(en, en) for en in english if en not in french]),
        "en": Strings([(fr, fr) for fr in french if fr not in english]),
    }


class VisibleText(HTMLParser):
    """Every text a reader meets on the page: nodes, elements' whole text, a few attributes."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    HIDDEN = {"script", "style", "template"}
    ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.open: list[tuple[str, bool, list[str]]] = []  # tag, skipped, text inside
        self.texts: set[str] = set()  # text nodes, attributes and each element's whole text
        self.nodes: set[str] = set()  # text nodes and attributes only

    def skipped(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def add(self, text: str, *, node: bool = False) -> None:
        if text := normalise(text):
            self.texts.add(text)
            if node:
                self.nodes.add(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or self.language).split("-")[0]
        skip = self.skipped() or tag in self.HIDDEN or lang != self.language
        if not skip:
            for name in self.ATTRIBUTES & attrs.keys():
                self.add(attrs[name] or "", node=True)
        if tag not in self.VOID:
            self.open.append((tag, skip, []))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in (t for t, _s, _b in self.open):
            return  # a stray end tag
        while self.open:
            open_tag, skip, inside = self.open.pop()
            if not skip:
                self.add("".join(inside))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.skipped():
            return
        self.add(data, node=True)
        for _tag, skip, inside in self.open:
            if not skip:
                inside.append(data)


def page_texts(html: str, language: str) -> set[str]:
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser.texts


@pytest.fixture(scope="module")
def strings() -> dict[str, Strings]:
    return wrong_language_strings()


@pytest.fixture
def world(db, series, venue, organiser, member, outsider):
    """An upcoming and a past evening with attendees, ties, links, a hold and a clash."""
    with time_machine.travel(NOW, tick=False):
        upcoming = make_event(series=series, venue=venue, capacity=3, title="Soirée de décembre")
        past = make_event(series=series, venue=venue, title="Soirée d'octobre", days=-30)
        hold = make_event(series=series, title="Date à confirmer", days=7, status="hold")
        hangar = Venue.objects.create(name="Le Hangar", address="2 rue de Gand", city="Lille")
        make_event(title="Conférence voisine", days=7, venue=hangar)  # a clash: same evening
        # A confirmed address: allauth sets up an authenticator app only for one.
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        lea = make_member("lea", display_name="Léa Dewavrin")
        waiting = make_member("walid", display_name="Walid Bonte")
        for person in (member, outsider, lea):
            RSVP.objects.create(event=upcoming, member=person, status=RSVP.Status.GOING)
            RSVP.objects.create(event=past, member=person, status=RSVP.Status.GOING)
        RSVP.objects.create(event=upcoming, member=waiting, status=RSVP.Status.WAITLISTED)
        cancelled = make_event(series=series, title="Soirée annulée", days=14, status="cancelled")
        RSVP.objects.create(event=cancelled, member=member, status=RSVP.Status.GOING)
        RSVP.objects.create(event=cancelled, member=waiting, status=RSVP.Status.DECLINED)
        Tie.objects.create(from_member=member, to_member=outsider, network=Network.X)
        Tie.objects.create(from_member=outsider, to_member=member, network=Network.X)
        Tie.objects.create(from_member=lea, to_member=member, network=Network.MASTODON)
        a, b = sorted([member.pk, outsider.pk])
        Meeting.objects.create(event=past, member_a_id=a, member_b_id=b)
        Identity.objects.create(
            member=member, network=Network.MASTODON, handle="camille@piaille.fr",
            url="https://piaille.fr/@camille",
        )  # fmt: skip
        for kind in EventLink.Kind.values:
            EventLink.objects.create(
                event=past, kind=kind, title=f"Lien {kind}", url=f"https://example.org/{kind}"
            )
        # Other calendars: one read, one broken; an evening of it on the upcoming one's day.
        good = RivalFeed.objects.create(
            name="Agenda du Hangar", url="https://hangar.example/agenda.ics", city="Lille",
            succeeded_at=NOW, fetched_at=NOW,
        )  # fmt: skip
        RivalFeed.objects.create(
            name="Agenda cassé", url="https://broken.example/agenda.ics", problem="malformed",
            fetched_at=NOW,
        )  # fmt: skip
        ExternalEvent.objects.create(
            feed=good, uid="1@hangar", title="Apéro analytics", start=upcoming.start,
            end=upcoming.end, location="Le Hangar, Lille", area="lille",
        )  # fmt: skip
        Recap.objects.create(
            event=past, source="https://camille.example/retour", title="Retour sur octobre",
            author_name="Camille", published=NOW, summary="<p>Très belle soirée.</p>",
        )  # fmt: skip
    return {
        "upcoming": upcoming,
        "past": past,
        "hold": hold,
        "cancelled": cancelled,
        "lea": lea,
        "member": member,
        "waiting": waiting,
        "series": series,
    }


def slug_url(name: str, obj) -> str:
    return reverse(f"events:{name}", args=[obj.slug])


def people_url(event) -> str:
    return slug_url("people", event)


# Each page as the actor who sees most of it (None: anonymous), and how to find its URL.
PAGES = [
    ("home", "member", lambda w: reverse("events:home")),
    ("past", "member", lambda w: reverse("events:past")),
    ("event", "member", lambda w: w["upcoming"].get_absolute_url()),
    ("past event", "member", lambda w: w["past"].get_absolute_url()),
    ("event, anonymous", None, lambda w: w["upcoming"].get_absolute_url()),
    ("series", "member", lambda w: w["series"].get_absolute_url()),
    ("people view", "member", lambda w: people_url(w["past"])),
    ("people view, upcoming", "member", lambda w: people_url(w["upcoming"])),
    ("people view, anonymous", None, lambda w: people_url(w["upcoming"])),
    ("own profile", "member", lambda w: w["member"].get_absolute_url()),
    ("profile", "member", lambda w: w["lea"].get_absolute_url()),
    ("profile, anonymous", None, lambda w: w["member"].get_absolute_url()),
    ("my events", "member", lambda w: reverse("events:my_events")),
    ("my events, waitlisted", "waiting", lambda w: reverse("events:my_events")),
    ("my encounters", "member", lambda w: reverse("events:my_encounters") + "?period=all"),
    ("event, waitlisted", "waiting", lambda w: w["upcoming"].get_absolute_url()),
    ("cancelled event", "member", lambda w: w["cancelled"].get_absolute_url()),
    ("privacy", "member", lambda w: reverse("community:privacy")),
    ("imports", "member", lambda w: reverse("community:import")),
    ("my account", "member", lambda w: reverse("community:account")),
    ("email addresses", "member", lambda w: reverse("account_email")),
    ("change password", "member", lambda w: reverse("account_change_password")),
    ("two-factor", "member", lambda w: reverse("mfa_index")),
    ("authenticator app setup", "member", lambda w: reverse("mfa_activate_totp")),
    ("reauthenticate", "member", lambda w: reverse("account_reauthenticate")),
    ("organiser workspace", "organiser", lambda w: reverse("events:organise")),
    ("calendar", "organiser", lambda w: reverse("events:organise_calendar") + "?month=2026-11"),
    ("other calendars", "organiser", lambda w: reverse("events:other_calendars")),
    ("organiser series page", "organiser", lambda w: slug_url("organise_series", w["series"])),
    ("event form", "organiser", lambda w: slug_url("organise_create", w["series"])),
    ("edit form", "organiser", lambda w: slug_url("organise_edit", w["upcoming"])),
    ("publish a hold", "organiser", lambda w: slug_url("organise_publish", w["hold"])),
    ("login", None, lambda w: reverse("account_login")),
    ("signup", None, lambda w: reverse("account_signup")),
    ("password reset", None, lambda w: reverse("account_reset_password")),
    ("404", None, lambda w: "/no-such-page/"),
]  # fmt: skip
# Pages that ask for the password again first: rendered just after giving it.
REAUTHENTICATED = {"imports", "change password", "authenticator app setup"}


def page(name: str, world: dict, **actors):
    _name, actor, url = next(row for row in PAGES if row[0] == name)
    return actors.get(actor), url(world)


def render(
    client, actor, url: str, language: str, *, reauthenticated: bool = False
) -> tuple[int, str, VisibleText]:
    with time_machine.travel(NOW, tick=False):
        client.logout()
        if actor is not None and reauthenticated:
            reauthenticate(client, actor)
        elif actor is not None:
            client.force_login(actor)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url)
    parser = VisibleText(language)
    parser.feed(response.content.decode())
    parser.close()
    return response.status_code, response["Content-Language"], parser


def data_strings() -> list[str]:
    """Data on pages and the catalogue's strings alike in both languages, longest first."""
    data = set()
    for user in User.objects.all():
        data |= {user.display_name, user.username, user.initials, user.email}
    data |= set(Series.objects.values_list("name", flat=True))
    data |= set(Event.objects.values_list("title", flat=True))
    data |= set(EventLink.objects.values_list("title", flat=True))
    data |= set(RivalFeed.objects.values_list("name", flat=True))
    data |= set(RivalFeed.objects.values_list("url", flat=True))
    for other in ExternalEvent.objects.all():
        data |= {other.title, other.location}
    for recap in Recap.objects.all():
        data |= {recap.title, recap.author_name, "Très belle soirée."}
    data |= set(Identity.objects.values_list("handle", flat=True))
    for venue in Venue.objects.all():
        data |= {venue.name, venue.address, venue.city}
    data |= {visible(en) for en, fr in catalogue_pairs() if visible(en) == visible(fr)}
    return sorted((d for d in data if d), key=len, reverse=True)


def without_data(text: str, data: list[str]) -> str:
    for item in data:
        text = text.replace(item, " ")
    return normalise(text)


def untranslated(same: set[str], data: list[str]) -> set[str]:
    """Texts alike in both languages that still hold words once the data is taken out."""
    return {text for text in same if re.search(r"[^\W\d_]{2,}", without_data(text, data))}


@pytest.mark.parametrize("name", [name for name, _actor, _url in PAGES])
def test_page_reads_in_one_language(client, world, member, organiser, series, strings, name):
    actor, url = page(name, world, member=member, organiser=organiser, waiting=world["waiting"])
    rendered = {}
    for language in ("fr", "en"):
        status, content_language, rendered[language] = render(
            client, actor, url, language, reauthenticated=name in REAUTHENTICATED
        )
        assert (status, content_language) == (404 if name == "404" else 200, language)
    assert strings["fr"].found_in(rendered["fr"].texts) == set(), "English on the French page"
    assert strings["en"].found_in(rendered["en"].texts) == set(), "French on the English page"
    data = data_strings()
    # Strings never marked for translation read the same in both languages.
    same = rendered["fr"].nodes & rendered["en"].nodes
    assert untranslated(same, data) == set(), "text left out of the catalogue"
    assert capitalised_dates(rendered["fr"].nodes, data) == set(), "French months and days"


def capitalised_dates(texts: set[str], data: list[str]) -> set[str]:
    """French texts with a month or weekday capitalised inside a sentence (« 25 Nov »)."""
    return {text for text in texts if PAGE_DATES.search(without_data(text, data))}


def test_extraction_sees_text_attributes_and_skips_scripts_and_other_languages():
    html = (
        '<p class="notice"><a href="/login/">Log in</a> to see who is coming.</p>'
        '<img alt="Picture" src="x.png"><input placeholder="Your name" value="Camille">'
        '<script>var label = "Going";</script><a lang="en" href="/en/">English</a>'
        '<button aria-label="Close" data-x="Hidden">×</button>'
    )
    texts = page_texts(html, "fr")
    assert {"Log in", "to see who is coming.", "Log in to see who is coming."} <= texts
    assert {"Picture", "Your name", "Close"} <= texts
    assert not {"Going", "English", "Camille", "Hidden", 'var label = "Going";'} & texts


def test_an_english_string_left_on_a_french_page_is_found(strings):
    texts = page_texts("<dt>Going</dt><p>Who is coming to Soirée de mai</p>", "fr")
    assert strings["fr"].found_in(texts) == {"Going", "Who is coming to %(title)s"}
    assert strings["en"].found_in(page_texts("<dt>Participants</dt>", "en")) == {"Participants"}


def test_archive_links_put_a_space_before_the_colon_in_french(client, world):
    client.force_login(world["lea"])
    french = client.get(reverse("events:past")).content.decode()
    assert ">Photos : Lien photos</a>" in french
    assert ">Compte rendu : Lien recap</a>" in french
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("events:past")).content.decode()
    assert ">Photos: Lien photos</a>" in english


FRENCH_PUNCTUATION = re.compile(r"[^\s\u00a0\u202f][:;?!](?=\s|$)")
CAPITALISED_DATES = re.compile(
    r"(?<!^)\b(Janvier|Février|Mars|Avril|Mai|Juin|Juillet|Août|Septembre|Octobre|Novembre|"
    r"Décembre|Lundi|Mardi|Mercredi|Jeudi|Vendredi|Samedi|Dimanche)\b"
)


# Month and weekday names and their abbreviations, capitalised, not at the start of a text.
PAGE_DATES = re.compile(
    r"(?<=[\w,] )(Janv?|Févr?|Mars|Avr|Mai|Juin|Juil|Août|Sept?|Oct|Nov|Déc|Lun|Mar|Mer|Jeu|Ven|"
    r"Sam|Dim)(ier|rier|il|let|embre|obre|di|credi|ndi|edi|anche)?\.?(?=[\s,]|$)"
)


def test_capitalised_french_dates_are_found():
    data = ["Mercredi Web Analytics"]
    texts = {"mer 25 Nov 2026, 20:00", "le 3 Décembre", "Mercredi Web Analytics à Lille", "Mars"}
    assert capitalised_dates(texts, data) == {"mer 25 Nov 2026, 20:00", "le 3 Décembre"}


def test_french_catalogue_follows_french_typography():
    faults = []
    for _english, french in catalogue_pairs():
        text = re.sub(r"https?://\S+|%(?:\([a-z_]+\))?[sd]", "X", french)
        if FRENCH_PUNCTUATION.search(text):
            faults.append(("no space before : ; ? !", french))
        if re.search(r"[“”]|(?<![=\\])\"(?![>%])", re.sub(r'href="[^"]*"', "", french)):
            faults.append(("quotes other than « »", french))
        if "'" in french:
            faults.append(("straight apostrophe", french))
        if re.search(r"«(?!\s)|(?<!\s)»", french):
            faults.append(("no space inside « »", french))
        if CAPITALISED_DATES.search(french):
            faults.append(("capitalised month or weekday", french))
        if "(e)" in french:
            faults.append(("« (e) » rather than « ·e »", french))
    assert faults == []


def test_every_catalogue_entry_has_a_checked_french_translation():
    assert [english for english, french in catalogue_pairs() if not french] == []


def test_going_reads_as_a_heading_or_a_status_as_french_needs(client, world, organiser, member):
    with time_machine.travel(NOW, tick=False):
        client.force_login(organiser)
        workspace = client.get(reverse("events:organise")).content.decode()
        client.force_login(member)
        my_events = client.get(reverse("events:my_events")).content.decode()
    assert "<th>Participants</th>" in workspace
    assert 'data-label="Participants"' in workspace
    assert '<span class="badge badge-going">Inscrit·e</span>' in my_events
