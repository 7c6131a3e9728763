"""Event cards with the member's own line, the series page, the series colours, the header."""

import io
import random

import pytest
from django.urls import reverse
from PIL import Image

from community import photos
from community.models import Tie, User
from events import cache
from events.management.commands.seed_demo import abstract_avatar
from events.models import RSVP, Series, contrast_ratio
from tests.conftest import make_event, make_member, make_organiser


def going(event, *members):
    for member in members:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)


def test_card_says_you_are_going_and_who_you_know(client, event, member):
    ana, bob = make_member("ana"), make_member("bob")
    Tie.objects.create(from_member=member, to_member=ana, network="x")
    Tie.objects.create(from_member=bob, to_member=member, network="mastodon")
    going(event, member, ana, bob)
    client.force_login(member)

    body = client.get(reverse("events:home")).content.decode()

    assert "Vous y allez" in body
    assert "2 personnes que vous connaissez y vont" in body
    assert 'aria-label="Ana"' in body and 'aria-label="Bob"' in body


def test_card_gives_the_waitlist_position(client, series, venue, member):
    full = make_event(series=series, venue=venue, capacity=1)
    going(full, make_member("ana"))
    RSVP.objects.create(event=full, member=make_member("bob"), status=RSVP.Status.WAITLISTED)
    RSVP.objects.create(event=full, member=member, status=RSVP.Status.WAITLISTED)
    client.force_login(member)

    body = client.get(reverse("events:home")).content.decode()

    assert "Complet — liste d’attente ouverte" in body
    assert "Liste d’attente n° 2" in body


def test_card_respects_hidden_attendance_and_hidden_ties(client, event, member):
    # Hides everything: not listed among attendees, ties seen by nobody.
    hidden = make_member(
        "hidden", listed_in_attendees=False, ties_visibility=User.Visibility.NOBODY
    )
    secretive = make_member("secretive", ties_visibility=User.Visibility.NOBODY)
    Tie.objects.create(from_member=member, to_member=hidden, network="x")
    Tie.objects.create(from_member=secretive, to_member=member, network="x")  # not shown to me
    going(event, hidden, secretive)
    client.force_login(member)

    body = client.get(reverse("events:home")).content.decode()

    assert "que vous connaissez" not in body
    assert "Vous y allez" not in body


def test_visitors_get_the_shared_cards_without_a_personal_line(client, event, member):
    going(event, member)
    body = client.get(reverse("events:home")).content.decode()

    assert "Vous y allez" not in body
    assert f"<!--me:{event.pk}-->" in body


@pytest.mark.parametrize("events", [1, 20])
def test_member_cards_cost_the_same_queries_for_one_or_many_events(
    client, series, venue, member, django_assert_num_queries, events
):
    ana = make_member("ana")
    Tie.objects.create(from_member=member, to_member=ana, network="x")
    for days in range(1, events + 1):
        going(make_event(series=series, venue=venue, days=days, title=f"E{days}"), ana)
    client.force_login(member)

    # session, user, data version, the listing's three (series and cities filters, events),
    # my RSVPs, my contacts, my contacts going, the header's photo and "do I organise?"
    with django_assert_num_queries(11):
        body = client.get(reverse("events:home")).content.decode()

    assert body.count("1 personne que vous connaissez y va") == events


def test_series_page_header_organisers_next_date_and_webcal(client, series, venue):
    make_organiser("orla", series, display_name="Orla Vandamme")
    make_event(title="Prochaine soirée", series=series, venue=venue, days=3)
    make_event(title="Plus tard", series=series, venue=venue, days=30)

    body = client.get(series.get_absolute_url()).content.decode()

    assert f'class="series-hero series-{series.pk}"' in body
    assert 'aria-label="Orla Vandamme"' in body
    assert "Prochaine date" in body
    assert body.index("Prochaine soirée") < body.index("Plus tard")
    assert f'href="webcal://testserver/series/{series.slug}/calendar.ics"' in body


def test_series_colours_stylesheet_is_versioned_and_readable(client, series):
    series.colour = "#ffdd00"  # too light for white text, or as text on white
    series.save()
    version = cache.data_version()

    response = client.get(reverse("events:series_colours"), {"v": version})
    css = response.content.decode()

    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert f".series-{series.pk}{{--series:#ffdd00;--series-ink:#1b1f24;" in css
    assert contrast_ratio(series.colour_text, "#ffffff") >= 4.5
    stale = client.get(reverse("events:series_colours"), {"v": "old"})
    assert stale["Cache-Control"] == "no-cache"
    page = client.get(reverse("events:home")).content.decode()
    assert f'href="/series-colours.css?v={version}"' in page


def test_a_dark_series_colour_keeps_white_text():
    series = Series(colour="#1d4f91")
    assert series.colour_ink == "#ffffff"
    assert series.colour_text == "#1d4f91"


def test_header_menu_shows_organise_only_to_organisers(client, series, member):
    organiser = make_organiser("orla", series)
    client.force_login(member)
    assert 'href="/organise/"' not in client.get(reverse("events:past")).content.decode()
    client.force_login(organiser)
    body = client.get(reverse("events:past")).content.decode()
    assert 'href="/organise/"' in body
    assert 'class="account-menu"' in body


def test_header_face_follows_a_new_photo(client, member):
    client.force_login(member)
    assert '<img class="face"' not in client.get(reverse("events:past")).content.decode()
    photos.set_photo(member=member, squares=photos.encode_photo(abstract_avatar(_rng())))

    body = client.get(reverse("events:past")).content.decode()

    assert '<img class="face"' in body


def test_demo_avatars_are_abstract_pictures_that_pass_the_photo_checks():
    data = abstract_avatar(_rng())
    squares = photos.encode_photo(data)
    assert Image.open(io.BytesIO(squares[max(squares)])).size == (256, 256)


def _rng() -> random.Random:
    return random.Random(1)
