"""The event page in each state: seats in words, full, past, cancelled; calendar and share."""

import datetime as dt
import re
import urllib.parse

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from community.models import User
from events.models import RSVP, Event, EventLink
from tests.conftest import make_event, make_member, make_organiser

pytestmark = pytest.mark.django_db


def going(event: Event, count: int, *, start: int = 0) -> list[User]:
    people = [make_member(f"p{start + i}") for i in range(count)]
    RSVP.objects.bulk_create(RSVP(event=event, member=p, status=RSVP.Status.GOING) for p in people)
    return people


def seats_text(body: str) -> str:
    found = re.search(r'class="event-seats-detail[^"]*"[^>]*>(.*?)</span>', body, re.S)
    return " ".join(found[1].split())


@pytest.mark.parametrize(
    ("capacity", "taken", "french", "english"),
    [
        (75, 75, "Complet — liste d’attente ouverte", "Full — waitlist open"),
        (75, 72, "Plus que 3 places", "Only 3 seats left"),
        (75, 74, "Plus qu’une place", "Only 1 seat left"),
        (75, 30, "45 places libres", "45 seats left"),
        (None, 12, "Places illimitées", "No seat limit"),
    ],
)
def test_seats_are_said_in_words(client, series, venue, capacity, taken, french, english):
    event = make_event(series=series, venue=venue, capacity=capacity)
    going(event, taken)

    body = client.get(event.get_absolute_url()).content.decode()
    client.cookies["django_language"] = "en"
    english_body = client.get(event.get_absolute_url()).content.decode()

    assert seats_text(body) == french
    assert seats_text(english_body) == english
    assert "sur 75" not in body
    assert "out of" not in english_body


def test_full_event_offers_the_waitlist_and_counts_it(client, series, venue, member):
    event = make_event(series=series, venue=venue, capacity=2)
    going(event, 2)
    RSVP.objects.create(event=event, member=make_member("w1"), status=RSVP.Status.WAITLISTED)
    client.force_login(member)

    body = client.get(event.get_absolute_url()).content.decode()

    assert seats_text(body) == "Complet — liste d’attente ouverte · 1 en liste d’attente"
    assert body.count(">M’inscrire sur la liste d’attente</button>") == 2  # box and phone bar
    assert "Je viens</button>" not in body


def test_past_event_reads_as_past_with_recaps_first_and_no_rsvp(client, series, venue, member):
    event = make_event(series=series, venue=venue, capacity=50, days=-3)
    going(event, 43)
    EventLink.objects.create(event=event, kind="video", title="La vidéo", url="https://v.example/")
    EventLink.objects.create(event=event, kind="recap", title="Le récit", url="https://r.example/")
    client.force_login(member)

    body = client.get(event.get_absolute_url()).content.decode()

    assert seats_text(body) == "43 personnes sont venues"
    assert "Cet événement est terminé" in body
    assert "Comptes rendus, slides et photos" in body
    assert body.index("Le récit") < body.index("La vidéo") < body.index("Qui est venu")
    assert 'name="answer"' not in body
    assert "Plus que" not in body and "places libres" not in body
    assert 'class="rsvp-bar"' not in body
    assert "Ajouter à mon agenda" not in body


def test_cancelled_event_says_so_at_the_top_and_offers_no_calendar(client, series, venue):
    event = make_event(series=series, venue=venue, capacity=10, status=Event.Status.CANCELLED)
    going(event, 3)

    body = client.get(event.get_absolute_url()).content.decode()

    assert body.index("Cet événement est annulé.") < body.index("Quand")
    assert reverse("events:event_ics", args=[event.slug]) not in body
    assert "calendar.google.com" not in body
    assert "outlook.live.com" not in body
    assert "webcal://" not in body
    assert 'name="answer"' not in body
    assert 'class="rsvp-bar"' not in body


def test_anonymous_visitor_is_offered_to_come_not_to_decline(client, event):
    going(event, 4)

    body = client.get(event.get_absolute_url()).content.decode()

    assert 'value="declined"' not in body
    assert "Je ne viens pas" not in body
    assert 'data-going="4"' in body
    assert "Créer mon compte" in body
    assert "pour voir qui vous connaissez déjà parmi eux." in body
    assert "Je viens</button>" in body


def test_header_shows_date_block_times_venue_directions_series_and_hosts(client, series, venue):
    make_organiser("orla-host", series, display_name="Orla Hôte")
    event = make_event(series=series, venue=venue)

    body = client.get(event.get_absolute_url()).content.decode()

    assert re.search(r'class="date-block-month">[^<]+</span><span class="date-block-day">', body)
    start, end = (timezone.localtime(t) for t in (event.start, event.end))
    assert f"{start:%H:%M}</time>" in body
    assert f">{end:%H:%M}</time>" in body and "heure de Paris" in body
    assert "La Grand&#x27;Scène" in body and "1 rue de Paris" in body
    directions = "https://www.openstreetmap.org/search?" + urllib.parse.urlencode(
        {"query": "1 rue de Paris, Lille"}
    )
    assert directions.replace("&", "&amp;") in body
    assert 'fill="#2456a6"' in body  # the series' colour
    assert "Orla Hôte" in body
    assert "Organisé par" in body
    assert "<iframe" not in body


def test_calendar_and_share_links_are_plain_links(client, event):
    body = client.get(event.get_absolute_url()).content.decode()

    page = f"http://testserver{event.get_absolute_url()}"
    assert reverse("events:event_ics", args=[event.slug]) in body
    site = settings.SITE_URL.split("://", 1)[1]
    assert f"webcal://{site}/series/blog-en-nord/calendar.ics" in body
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', body)[1]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(google.replace("&amp;", "&")).query)
    assert query["text"] == [event.title]
    start, end = (t.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") for t in (event.start, event.end))
    assert query["dates"] == [f"{start}/{end}"]
    assert "outlook.live.com/calendar/0/deeplink/compose" in body
    facebook = "https://www.facebook.com/sharer/sharer.php?" + urllib.parse.urlencode({"u": page})
    linkedin = "https://www.linkedin.com/sharing/share-offsite/?" + urllib.parse.urlencode(
        {"url": page}
    )
    assert facebook in body and linkedin in body
    assert "https://s2f.kytta.dev/?text=" in body
    # No-JS fallback for "copy the link": the address in a read-only field.
    assert f'value="{page}" readonly' in body
    assert "/static/js/share.js" in body
    # Nothing loaded from elsewhere: no script or stylesheet of those sites.
    assert not re.search(
        r'<(script|link rel="stylesheet"|img|iframe)[^>]+(src|href)="https?://', body
    )


def test_open_graph_image_is_the_share_image(client, event):
    body = client.get(event.get_absolute_url()).content.decode()

    image = re.search(r'<meta property="og:image" content="([^"]+)">', body)[1]
    assert image.startswith(f"http://testserver/events/{event.slug}/share/")
    assert image.endswith(".png")
    assert f'<meta name="twitter:image" content="{image}">' in body
    assert '<meta property="og:image:width" content="1200">' in body
    assert '<meta property="og:image:height" content="630">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    assert f'<meta property="og:title" content="{event.title}">' in body
    description = re.search(r'<meta property="og:description" content="([^"]+)">', body)[1]
    assert "La Grand&#x27;Scène, Lille" in description
    assert "10 places libres" in description
