import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import User
from events.models import RSVP, Event, EventLink
from tests.conftest import make_event, make_member


class JsonLd(HTMLParser):
    """Collects the `application/ld+json` blocks of a page."""

    def __init__(self):
        super().__init__()
        self.blocks, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data):
        if self._inside:
            self.blocks.append(json.loads(data))

    def handle_endtag(self, tag):
        self._inside = False


def json_ld(body: str) -> list[dict]:
    parser = JsonLd()
    parser.feed(body)
    return parser.blocks


def test_event_page_shows_date_venue_series_and_seats(client, event, member):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    client.cookies["django_language"] = "en"

    response = client.get(event.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert event.title in body
    assert "1 rue de Paris" in body
    assert event.series.get_absolute_url() in body
    assert "9 seats left" in body
    assert "out of" not in body
    assert reverse("events:event_ics", args=[event.slug]) in body


def test_event_page_shows_localised_times_across_dst(client, series):
    winter = make_event(title="Hiver", start=dt.datetime(2031, 1, 8, 18, 0, tzinfo=dt.UTC))
    summer = make_event(title="Été", start=dt.datetime(2031, 7, 9, 17, 0, tzinfo=dt.UTC))

    assert "19:00" in client.get(winter.get_absolute_url()).content.decode()
    assert "19:00" in client.get(summer.get_absolute_url()).content.decode()
    assert "janvier 2031" in client.get(winter.get_absolute_url()).content.decode()


def test_attendees_are_named_to_members_and_counted_for_anonymous(client, event, member):
    shy = make_member("shy", listed_in_attendees=False)
    alice = make_member("alice-martin")
    for person in (alice, shy):
        RSVP.objects.create(event=event, member=person, status=RSVP.Status.GOING)

    anonymous = client.get(event.get_absolute_url()).content.decode()
    assert "Alice Martin" not in anonymous
    assert 'data-going="2"' in anonymous

    client.force_login(member)
    body = client.get(event.get_absolute_url()).content.decode()
    assert attendee_names(body) == ["Alice Martin"]
    assert alice.get_absolute_url() in body
    assert ">AM<" in body  # initials avatar
    assert "Shy" not in body
    assert shy.get_absolute_url() not in body
    assert "et 1 membre qui préfère ne pas apparaître" in body


def attendee_names(body: str) -> list[str]:
    return re.findall(
        r'<li class="p-attendee h-card">.*?<span class="p-name">([^<]*)</span>', body, re.S
    )


def test_description_html_is_sanitised(client, series):
    event = make_event(
        series=series,
        description=(
            'Hello <strong>bloggers</strong> <script>alert("x")</script>'
            '<img src=x onerror="alert(1)"> <a href="javascript:alert(2)">bad</a> '
            '<a href="https://example.org/" onclick="steal()">good</a>\n\nSecond paragraph'
        ),
    )

    body = client.get(event.get_absolute_url()).content.decode()
    content = body.split('class="e-content event-description">', 1)[1].split("</div>", 1)[0]

    assert "<strong>bloggers</strong>" in content
    assert "<script" not in content
    assert "onerror" not in content
    assert "onclick" not in content
    assert "javascript:" not in content
    assert "<img" not in content
    assert 'href="https://example.org/"' in content
    assert "<p>Second paragraph</p>" in content


def test_title_and_names_with_markup_are_shown_as_text(client, series, member):
    event = make_event(series=series, title='<script>alert("t")</script> Soirée')
    evil = make_member("evil", display_name='<img src=x onerror="alert(1)">')
    RSVP.objects.create(event=event, member=evil, status=RSVP.Status.GOING)
    client.force_login(member)

    body = client.get(event.get_absolute_url()).content.decode()

    assert '<script>alert("t")</script>' not in body
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; Soirée" in body
    assert '<img src=x onerror="alert(1)">' not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    # The JSON-LD keeps the title as data without closing its script element early.
    assert json_ld(body)[0]["name"] == '<script>alert("t")</script> Soirée'


def test_open_graph_twitter_card_and_schema_org_event(client, event):
    EventLink.objects.create(event=event, title="Les slides", url="https://slides.example.org/1")

    body = client.get(event.get_absolute_url()).content.decode()

    assert f'<meta property="og:title" content="{event.title}">' in body
    assert re.search(r'<meta property="og:url" content="http://testserver/events/[^"]+/">', body)
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    [data] = json_ld(body)
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["startDate"] == timezone.localtime(event.start).isoformat()
    assert data["location"]["address"]["addressLocality"] == "Lille"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["maximumAttendeeCapacity"] == 10
    assert "https://slides.example.org/1" in body


def test_h_event_microformats(client, event):
    body = client.get(event.get_absolute_url()).content.decode()

    assert 'class="h-event' in body
    assert 'class="p-name">' in body
    assert f'class="dt-start" datetime="{timezone.localtime(event.start).isoformat()}"' in body
    assert 'class="dt-end"' in body
    assert 'class="p-location h-card"' in body


def test_cancelled_event_page_says_it_is_cancelled(client, series):
    event = make_event(series=series, status=Event.Status.CANCELLED)
    client.cookies["django_language"] = "en"

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert "This event is cancelled." in response.content.decode()
    assert json_ld(response.content.decode())[0]["eventStatus"] == (
        "https://schema.org/EventCancelled"
    )
    assert 'name="answer"' not in response.content.decode()


def test_hold_event_is_404_for_visitors_and_members_but_shown_to_its_organisers(
    client, series, organiser, outsider
):
    event = make_event(series=series, title="Date retenue", status=Event.Status.HOLD)
    client.force_login(organiser)
    body = client.get(event.get_absolute_url()).content.decode()
    assert "Date retenue" in body
    assert "seuls les organisateurs de la série voient cette page" in body

    # could leak from the cache the organiser's visit filled: a member of another series,
    # and a visitor
    client.force_login(outsider)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 404
    assert "Date retenue" not in response.content.decode()
    assert client.get(reverse("events:event_ics", args=[event.slug])).status_code == 404
    client.logout()
    response = client.get(event.get_absolute_url())
    assert response.status_code == 404
    assert "Date retenue" not in response.content.decode()


def test_unknown_event_gets_the_404_page(client, db):
    response = client.get(reverse("events:detail", args=["no-such-event"]))

    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()


def test_member_sees_their_rsvp_and_cancel_button(member_client, event, member):
    RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)

    body = member_client.get(event.get_absolute_url()).content.decode()

    assert 'data-rsvp-status="going"' in body
    assert 'value="cancel"' in body
    assert 'value="going"' not in body


@pytest.mark.parametrize("attendees", [3, 300])
def test_event_page_query_count_does_not_grow_with_attendees(
    client, event, member, django_assert_num_queries, attendees
):
    people = User.objects.bulk_create(
        User(username=f"a{i}", email=f"a{i}@example.org", display_name=f"A {i}")
        for i in range(attendees)
    )
    RSVP.objects.bulk_create(RSVP(event=event, member=p, status=RSVP.Status.GOING) for p in people)
    for i in range(3):
        EventLink.objects.create(event=event, title=f"Lien {i}", url="https://example.org/")
    make_event(title="Autre", days=20, capacity=5)
    client.force_login(member)

    # session, user, event with counts, data version, links, hosts, attendees, my RSVP, whom
    # I know among them (the RSVPs, my ties), and the header's photo and "do I organise?"
    # (read once per data version)
    with django_assert_num_queries(12):
        body = client.get(event.get_absolute_url()).content.decode()
    # from then on, until the next write: session, user, data version (the event, its parts,
    # my RSVP and whom I know, the header and footer come from the cache)
    with django_assert_num_queries(3):
        again = client.get(event.get_absolute_url()).content.decode()

    assert len(attendee_names(body)) == attendees
    assert attendee_names(again) == attendee_names(body)


@pytest.mark.parametrize("events", [5, 500])
def test_series_page_query_count_does_not_grow_with_events(
    client, series, venue, organiser, django_assert_num_queries, events
):
    start = timezone.now() - dt.timedelta(days=events // 2)
    created = Event.objects.bulk_create(
        Event(
            title=f"Soirée {i}",
            slug=f"soiree-{i}",
            start=start + dt.timedelta(days=i),
            end=start + dt.timedelta(days=i, hours=2),
            series=series,
            venue=venue,
            capacity=50,
        )
        for i in range(events)
    )
    EventLink.objects.bulk_create(
        EventLink(event=e, title="Recap", url="https://example.org/") for e in created[:50]
    )
    people = [make_member(f"m{i}") for i in range(3)]
    RSVP.objects.bulk_create(
        RSVP(event=e, member=p, status=RSVP.Status.GOING) for e in created[:20] for p in people
    )

    # data version, series, its links, its organisers, upcoming events, past events, their
    # links, and the meeting measure: ties turned into meetings, newcomers who met someone
    with django_assert_num_queries(10):  # + the header (photo, organiser flag) or the data version
        body = client.get(series.get_absolute_url()).content.decode()
    with django_assert_num_queries(1):
        again = client.get(series.get_absolute_url()).content.decode()

    cards = body.count('class="event-card')
    assert cards + body.count('class="archive-item"') == events
    assert cards == len([e for e in created if e.end >= timezone.now()])
    assert organiser.display_name in body
    assert again == body


def test_series_page_hides_hold_and_cancelled_events(client, series):
    make_event(series=series, title="Publiée")
    make_event(series=series, title="Retenue", status=Event.Status.HOLD, days=9)
    make_event(series=series, title="Annulée", status=Event.Status.CANCELLED, days=10)

    body = client.get(series.get_absolute_url()).content.decode()

    assert "Publiée" in body
    assert "Retenue" not in body
    assert "Annulée" not in body


def test_past_archive_lists_past_events_with_recaps(client, series, venue):
    old = make_event(series=series, title="Soirée de mai", days=-30)
    EventLink.objects.create(
        event=old, kind=EventLink.Kind.RECAP, title="Le récap", url="https://blog.example.org/r"
    )
    make_event(series=series, title="Soirée future", days=3)
    make_event(series=series, title="Soirée annulée", days=-20, status=Event.Status.CANCELLED)

    body = client.get(reverse("events:past")).content.decode()

    assert archive_titles(body) == ["Soirée de mai"]
    assert "https://blog.example.org/r" in body


def test_past_archive_shows_the_first_page_for_a_bad_page_number(client, series):
    make_event(series=series, title="Soirée de mai", days=-30)

    body = client.get(reverse("events:past"), {"page": "<script>"}).content.decode()

    assert archive_titles(body) == ["Soirée de mai"]
    assert "<script>" not in body


def archive_titles(body: str) -> list[str]:
    return re.findall(r'<li class="archive-item">\s*<a href="[^"]+">([^<]*)</a>', body)
