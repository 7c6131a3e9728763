"""Faces on the event page: whom a member knows going, the attendee wall, the hosts; each
under the people view's rules, with a member who hides everything."""

import re

import pytest

from community.models import Network, Tie, User
from events.models import RSVP
from tests.conftest import make_event, make_member, make_organiser

pytestmark = pytest.mark.django_db


def tie(a: User, b: User) -> None:
    Tie.objects.create(from_member=a, to_member=b, network=Network.MASTODON)


def go(event, *members, status=RSVP.Status.GOING) -> None:
    for member in members:
        RSVP.objects.create(event=event, member=member, status=status)


def number(body: str, name: str) -> int | None:
    found = re.search(rf'data-{name}="(\d+)"', body)
    return int(found[1]) if found else None


def face_names(html: str) -> list[str]:
    return re.findall(r'(?:aria-label|alt)="([^"]+)"', html)


def known_block(body: str) -> str:
    return body.split('class="known-going"', 1)[1].split("</div>", 1)[0]


@pytest.fixture
def evening(db, series, venue):
    """An evening where the viewer knows some attendees, and one hides everything."""
    event = make_event(series=series, venue=venue, capacity=20)
    viewer = make_member("vera")
    people = {
        name: make_member(name) for name in ("anna", "bruno", "chloe", "dora", "emile", "zoe")
    }
    hider = make_member(
        "hugo-hidden",
        display_name="Hugo Caché",
        listed_in_attendees=False,
        ties_visibility=User.Visibility.NOBODY,
    )
    people["zoe"].ties_visibility = User.Visibility.NOBODY
    people["zoe"].save()
    tie(viewer, people["anna"])  # the viewer's own tie
    tie(people["bruno"], viewer)  # Bruno's, visible to members
    tie(viewer, hider)  # the viewer's own, but Hugo is not listed: never named
    tie(hider, viewer)
    tie(people["chloe"], people["anna"])  # a friend of a friend, through Anna
    tie(hider, people["emile"])  # Hugo's ties are his own: Émile is no friend of a friend
    tie(people["zoe"], viewer)  # Zoé shows her ties to nobody
    go(event, *people.values(), hider)
    return event, viewer, people, hider


def test_member_sees_whom_they_know_first_then_friends_of_friends_and_the_others(client, evening):
    event, viewer, people, hider = evening
    client.force_login(viewer)

    body = client.get(event.get_absolute_url()).content.decode()

    assert number(body, "known") == 2  # Anna, Bruno
    assert number(body, "fof") == 1  # Chloé
    assert number(body, "others") == 4  # Dora, Émile, Zoé, and Hugo unnamed
    assert "Vous connaissez 2 personnes qui y vont" in body
    assert "1 autre connaît l’un de vos contacts" in body
    assert "et 4 autres" in body
    assert face_names(known_block(body)) == ["Anna", "Bruno"]
    assert body.index('class="known-going"') < body.index('class="attendees"')


def test_a_member_who_hides_everything_is_counted_never_shown(client, evening):
    event, viewer, people, hider = evening
    client.force_login(viewer)

    body = client.get(event.get_absolute_url()).content.decode()

    assert "Hugo" not in body
    assert hider.get_absolute_url() not in body
    assert ">HC<" not in body
    assert "et 1 membre qui préfère ne pas apparaître" in body
    # The one who hides sees themselves counted as going, and their own contacts.
    client.force_login(hider)
    own = client.get(event.get_absolute_url()).content.decode()
    assert number(own, "known") == 1  # Émile, through his own tie
    assert face_names(known_block(own)) == ["Emile"]


def test_visitors_get_the_count_and_an_invitation_never_faces_of_attendees(client, evening):
    event, viewer, people, hider = evening

    body = client.get(event.get_absolute_url()).content.decode()

    assert number(body, "going") == 7
    assert 'class="known-going"' not in body
    assert 'class="attendees"' not in body
    assert all(p.display_name not in body for p in people.values())
    assert "Créer mon compte" in body


def test_waitlisted_member_sees_their_place_and_whom_they_know_going(client, evening):
    event, viewer, people, hider = evening
    event.capacity = 7
    event.save()
    go(event, viewer, status=RSVP.Status.WAITLISTED)
    client.force_login(viewer)

    body = client.get(event.get_absolute_url()).content.decode()

    assert 'data-waitlist-position="1"' in body
    assert "Vous êtes numéro 1 sur la liste d’attente." in " ".join(body.split())
    assert "2 personnes que vous connaissez y vont." in body


def test_wall_collapses_after_twenty_faces(client, event, member):
    people = [make_member(f"m{i:02d}") for i in range(26)]
    go(event, *people)
    event.capacity = 30
    event.save()
    client.force_login(member)

    body = client.get(event.get_absolute_url()).content.decode()

    shown, more = body.split('<details class="attendees-more">', 1)
    assert len(re.findall(r'class="p-attendee h-card"', shown)) == 20
    assert len(re.findall(r'class="p-attendee h-card"', more)) == 6
    assert "Voir tous : 6 de plus" in more


def test_hosts_are_the_series_organisers_with_faces(client, series, venue):
    make_organiser("orla-b", series, display_name="Orla Bernard")
    make_organiser("paul-c", series, display_name="Paul Cordier")
    event = make_event(series=series, venue=venue)

    body = client.get(event.get_absolute_url()).content.decode()

    hosts = body.split('class="host-list"', 1)[1].split("</ul>", 1)[0]
    # Each host's face beside their name (the face hidden from screen readers: the name is
    # read once).
    assert re.findall(r"<span>([^<]+)</span>", hosts) == ["Orla Bernard", "Paul Cordier"]
    assert hosts.count('class="face') == 2
    assert hosts.count('aria-hidden="true"') == 2
    assert "/members/orla-b/" in hosts


@pytest.mark.parametrize("attendees", [5, 50])
def test_member_event_page_query_count_is_the_same_at_5_and_50_attendees(
    client, event, member, django_assert_num_queries, attendees
):
    event.capacity = 100
    event.save()
    make_organiser("orga", event.series)
    people = [make_member(f"g{i}") for i in range(attendees)]
    go(event, *people)
    for person in people[::2]:
        tie(member, person)
        tie(person, people[1])
    client.force_login(member)

    # session, user, event with counts, data version, links, hosts, wall, my RSVP, whom I
    # know (the RSVPs with their photos, my ties, my contacts' ties), and the header's photo
    # and "do I organise?" (read once per data version)
    with django_assert_num_queries(13):
        body = client.get(event.get_absolute_url()).content.decode()
    # until the next write, the shared parts (facts, hosts, wall) and the member's own (RSVP,
    # whom they know, header) come from the cache: session, user, data version
    with django_assert_num_queries(3):
        again = client.get(event.get_absolute_url()).content.decode()

    assert number(body, "known") == len(people[::2])
    assert number(again, "known") == len(people[::2])
