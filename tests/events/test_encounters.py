"""« Mes rencontres » (/me/encounters/): figures, visibility, periods, query budget."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from community.models import Tie, User
from events.models import RSVP, Meeting
from tests.conftest import make_event, make_member
from tests.events.organising import paris

pytestmark = pytest.mark.django_db

NOW = paris(2027, 6, 16, 12)
URL = reverse("events:my_encounters")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me_client(frozen, client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


def went(event, *members):
    RSVP.objects.bulk_create(
        RSVP(event=event, member=m, status=RSVP.Status.GOING, status_changed_at=event.start)
        for m in members
    )


def tie(a, b, at):
    made = Tie.objects.create(from_member=a, to_member=b, network="x")
    Tie.objects.filter(pk=made.pk).update(created_at=at)


@pytest.fixture
def story(member, series):
    """Camille's year: one evening in March with a friend known online, a friend of that
    friend, someone met before (last October), someone who hides everything, and someone who
    follows Camille but shows their ties to nobody."""
    march = make_event(title="Soirée de mars", start=paris(2027, 3, 10, 19), series=series)
    october = make_event(title="Soirée d'octobre", start=paris(2026, 10, 8, 19), series=series)
    friend = make_member("fanny")
    fof = make_member("felix")
    known_before = make_member("basile")
    hidden = make_member(
        "hector", listed_in_attendees=False, ties_visibility=User.Visibility.NOBODY
    )
    secretive = make_member("sacha", ties_visibility=User.Visibility.NOBODY)
    went(october, member, known_before)
    went(march, member, friend, fof, known_before, hidden, secretive)
    january = paris(2027, 1, 5, 12)
    tie(member, friend, january)
    tie(friend, fof, january)
    tie(hidden, member, january)  # hector's, shown to nobody
    tie(member, hidden, january)  # Camille's own, but hector is not listed
    tie(secretive, member, january)  # sacha's, shown to nobody
    tie(secretive, fof, january)
    Meeting.objects.create(event=march, member_a=min(member, friend, key=lambda u: u.pk),
                           member_b=max(member, friend, key=lambda u: u.pk))  # fmt: skip
    return {"march": march, "october": october}


def figures(response) -> dict:
    ctx = response.context
    return {
        "events": len(ctx["events"]),
        "attendees": ctx["attendees"],
        "hidden": ctx["hidden"],
        "direct": ctx["known_direct"],
        "through": ctx["known_through"],
        "first": ctx["first_time_count"],
        "ties_met": [str(p.member) for p in ctx["ties_met"]],
    }


def test_figures_of_the_year_respect_everyone_s_settings(me_client, story):
    response = me_client.get(URL, {"period": "year"})
    page = response.content.decode()

    assert figures(response) == {
        "events": 1,
        "attendees": 5,
        "hidden": 1,
        "direct": 1,  # Fanny; not Sacha, whose tie to Camille is shown to nobody
        "through": 1,  # Félix, through Fanny; Sacha's tie to him is shown to nobody
        "first": 3,  # Fanny, Félix, Sacha; Basile was met in October
        "ties_met": ["Fanny"],
    }
    first = [str(p.member) for p in response.context["first_time"]]
    assert first == ["Fanny", "Felix", "Sacha"]
    assert "Hector" not in page
    assert "through Fanny" in page
    assert "we met" in page


def test_all_time_counts_the_october_evening(me_client, story):
    response = me_client.get(URL, {"period": "all"})

    assert figures(response)["events"] == 2
    assert figures(response)["first"] == 4  # Basile too, met for the first time in October
    assert "Hector" not in response.content.decode()


def test_this_week_is_empty_and_says_so(me_client, story):
    response = me_client.get(URL, {"period": "week"})

    assert figures(response) == {
        "events": 0,
        "attendees": 0,
        "hidden": 0,
        "direct": 0,
        "through": 0,
        "first": 0,
        "ties_met": [],
    }
    assert "No event attended in this period." in response.content.decode()


def test_unknown_period_shows_an_error_over_this_year(me_client, story):
    response = me_client.get(URL, {"period": "forever"})

    assert response.status_code == 200
    assert response.context["period"] == "year"
    assert "Unknown period: showing this year." in response.content.decode()


def test_the_chart_draws_the_first_meetings_by_month(me_client, story):
    response = me_client.get(URL, {"period": "year"})
    columns = response.context["chart"]["columns"]

    assert [c["label"] for c in columns] == ["Jan.", "Feb.", "March", "April", "May", "June"]
    assert [c["met"] for c in columns] == [0, 0, 3, 0, 0, 0]
    assert [c["online"] for c in columns] == [0, 0, 2, 0, 0, 0]  # Fanny, Félix via Fanny
    assert '<svg class="encounters-svg"' in response.content.decode()


def test_a_member_who_hides_everything_sees_their_own_page(client, frozen, story):
    hector = User.objects.get(username="hector")
    client.force_login(hector)
    client.cookies["django_language"] = "en"

    response = client.get(URL, {"period": "year"})

    # Camille is listed: Hector knows her online (his own tie); nobody else is known.
    assert figures(response)["direct"] == 1
    assert figures(response)["attendees"] == 5


def test_my_events_links_to_my_encounters(me_client):
    page = me_client.get(reverse("events:my_events")).content.decode()

    assert f'href="{URL}"' in page


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("count", [2, 20])
def test_query_count_does_not_grow_with_events(
    me_client, member, series, django_assert_num_queries, count
):
    friend, other = make_member("fanny"), make_member("felix")
    tie(member, friend, paris(2026, 1, 1, 12))
    tie(friend, other, paris(2026, 1, 1, 12))
    for i in range(count):
        event = make_event(title=f"E{i}", start=paris(2027, 1, 1, 19) + dt.timedelta(days=i))
        guests = [make_member(f"g{i}-{n}") for n in range(3)]
        went(event, member, friend, other, *guests)
        tie(guests[0], member, paris(2026, 1, 1, 12))

    # session, user, my attendance, the others', my ties, my contacts' ties to the others,
    # the contacts' names, meetings, the people met with their photos, the navigation's "do I
    # organise a series?"
    with django_assert_num_queries(10):
        response = me_client.get(URL, {"period": "year"})

    assert figures(response)["events"] == count
    assert figures(response)["attendees"] == 2 + 3 * count


def test_no_shows_at_a_checked_in_evening_met_nobody(me_client, member, series):
    checked = make_event(title="Soirée pointée", start=paris(2027, 4, 8, 19), series=series)
    unchecked = make_event(title="Soirée libre", start=paris(2027, 5, 6, 19), series=series)
    missed = make_event(title="Soirée manquée", start=paris(2027, 2, 4, 19), series=series)
    came, stayed_home = make_member("clara"), make_member("noe")
    went(checked, member, came, stayed_home)
    went(unchecked, member, stayed_home)
    went(missed, member, came)
    RSVP.objects.filter(event=checked).exclude(member=stayed_home).update(arrived_at=checked.start)
    RSVP.objects.filter(event=missed, member=came).update(arrived_at=missed.start)

    response = me_client.get(URL, {"period": "year"})

    # Camille missed February's; Noé missed April's but was at May's, where nobody was checked in.
    assert [e.title for e, _others in response.context["events"]] == [
        "Soirée libre",
        "Soirée pointée",
    ]
    first = {str(p.member): p.first_event.title for p in response.context["first_time"]}
    assert first == {"Clara": "Soirée pointée", "Noe": "Soirée libre"}


def test_the_chart_coordinates_read_the_same_in_french(me_client, story):
    me_client.cookies["django_language"] = "fr"

    page = me_client.get(URL, {"period": "year"}).content.decode()

    assert "Mes rencontres" in page
    assert re.search(r'<rect class="bar-met" x="\d+\.\d" y="\d+\.\d" width="\d+\.\d"', page)
    assert not re.search(r'(x|y|width|height)="\d+,\d"', page)
