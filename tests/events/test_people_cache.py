"""The people view's shared part in the cache (`events.people.Shared`): every write that
changes what it shows is on the very next request, and nothing of one viewer reaches another."""

import pytest
from django.urls import reverse

from community.models import Photo, Tie
from events.models import RSVP
from tests.community.test_imports import confirm, upload
from tests.conftest import make_member, reauthenticate
from tests.events.test_people import bulk_members, going, page, tie

VIEWS = ("around", "everyone")


@pytest.fixture
def evening(db, event, member):
    """The member knows ana; ana ↔ bob; chloe, dan and fay go too."""
    people = {n: make_member(n) for n in ("ana", "bob", "chloe", "dan", "fay")}
    going(event, member, *people.values())
    tie(member, people["ana"])
    tie(people["ana"], people["bob"])
    tie(people["bob"], people["ana"])
    return people


def seen(client, event, view: str = "around") -> str:
    response = page(client, event, graph=view)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("view", VIEWS)
def test_member_who_switches_to_hidden_is_hidden_on_the_next_request(
    client, event, evening, member, view
):
    bob = evening["bob"]
    client.force_login(member)
    assert "Bob" in seen(client, event, view)  # the view of everyone is in the cache
    client.force_login(bob)
    response = client.post(
        reverse("community:privacy"),
        {"ties_visibility": "nobody", "listed_in_attendees": ""},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.ties_visibility, bob.listed_in_attendees) == ("nobody", False)
    client.force_login(member)
    response = page(client, event, graph=view)
    assert "Bob" not in response.content.decode()
    assert bob.username not in response.content.decode()
    assert bob.pk not in {p.id for p in response.context["going"]}
    assert all(bob.pk not in (a.id, b.id) for a, b, *_rest in response.context["icebreakers"])
    assert response.context["hidden_going"] == 1
    assert response.context["summary"]["going"] == 6


def test_ties_hidden_from_members_leave_the_cached_view_at_once(client, event, evening, member):
    bob = evening["bob"]
    client.force_login(member)
    before = {p.username: p for p in page(client, event, graph="everyone").context["going"]}
    assert before["bob"].knows_text == "Ana (réciproque)"
    bob.ties_visibility = "nobody"
    bob.save()
    after = {p.username: p for p in page(client, event, graph="everyone").context["going"]}
    assert after["bob"].knows_text == "Ana (Ana suit Bob)"


@pytest.mark.parametrize("view", VIEWS)
def test_a_tie_declared_shows_on_the_next_request(client, event, evening, member, view):
    chloe, dan = evening["chloe"], evening["dan"]
    client.force_login(member)
    assert page(client, event, graph=view).context["icebreakers_count"] == 2
    client.force_login(chloe)
    client.post(reverse("community:tie_add", args=[dan.username]), {"network": "x"})
    assert Tie.objects.filter(from_member=chloe, to_member=dan).exists()
    client.force_login(member)
    ctx = page(client, event, graph=view).context
    assert ctx["icebreakers_count"] == 3
    assert {p.username: p.knows_count for p in ctx["going"]}["dan"] == 1


def test_a_tie_removed_leaves_on_the_next_request(client, event, evening, member):
    ana, bob = evening["ana"], evening["bob"]
    client.force_login(member)
    assert page(client, event).context["icebreakers_count"] == 2
    client.force_login(ana)
    removed = Tie.objects.get(from_member=ana, to_member=bob)
    client.post(reverse("community:tie_delete", args=[removed.pk]))
    assert not Tie.objects.filter(pk=removed.pk).exists()
    client.force_login(member)
    going_ = {p.username: p for p in page(client, event).context["going"]}
    assert going_["bob"].knows_text == "Ana (Bob suit Ana)"


def test_an_imported_tie_shows_on_the_next_request(client, event, member):
    """An import writes its ties with `bulk_create()`, which sends no signal."""
    camille = make_member("camille-d", display_name="Camille Delattre")
    camille.identities.create(network="linkedin", handle="camille-delattre-59")
    ines = make_member("ines")
    going(event, camille, ines)
    client.force_login(member)
    assert page(client, event).context["icebreakers_count"] == 0
    reauthenticate(client, ines)
    confirm(client, upload(client, "linkedin", "linkedin-Connections.csv"))
    assert Tie.objects.filter(from_member=ines, to_member=camille).exists()
    client.force_login(member)
    assert page(client, event).context["icebreakers_count"] == 1


def test_an_rsvp_cancelled_leaves_on_the_next_request(client, event, evening, member):
    client.force_login(member)
    assert page(client, event).context["summary"]["going"] == 6
    client.force_login(evening["fay"])
    client.post(reverse("events:rsvp", args=[event.slug]), {"answer": "declined"})
    assert RSVP.objects.get(event=event, member=evening["fay"]).status == RSVP.Status.DECLINED
    client.force_login(member)
    ctx = page(client, event).context
    assert ctx["summary"]["going"] == 5
    assert "fay" not in {p.username for p in ctx["going"]}


def test_a_new_photo_shows_on_the_next_request(client, event, evening, member):
    client.force_login(member)
    assert "abcdef0123456789" not in seen(client, event)
    Photo.objects.create(member=evening["ana"], digest="abcdef0123456789")
    assert "/media/faces/abcdef0123456789-" in seen(client, event)


def test_a_hermits_own_view_never_reaches_other_members(client, event, evening, member, hermit):
    """The hermit sees themselves and their hidden ties; drawn for them alone, not kept for
    the others (and the others' picture, kept first, is not served to the hermit)."""
    going(event, hermit)
    tie(hermit, evening["chloe"])
    client.force_login(member)
    for view in VIEWS:
        seen(client, event, view)
    client.force_login(hermit)
    for view in VIEWS:
        ctx = page(client, event, graph=view).context
        assert hermit.pk in {p.id for p in ctx["going"]}
        assert {p.username: p.knows_count for p in ctx["going"]}["chloe"] == 1
        assert ctx["summary"]["shown"] == 7  # the figures count the hermit, for them alone
        assert "Hidden Hermit" in ctx["svg"]
    client.force_login(member)
    for view in VIEWS:
        response = page(client, event, graph=view)
        assert "Hidden Hermit" not in response.content.decode()
        assert {p.username: p.knows_count for p in response.context["going"]}["chloe"] == 0
        assert response.context["summary"]["shown"] == 6


def test_a_hermit_viewing_first_leaves_nothing_for_other_members(
    client, event, evening, member, hermit
):
    going(event, hermit)
    tie(hermit, evening["chloe"])
    client.force_login(hermit)
    for view in VIEWS:
        assert "Hidden Hermit" in page(client, event, graph=view).context["svg"]
    client.force_login(member)
    for view in VIEWS:
        response = page(client, event, graph=view)
        assert "Hidden Hermit" not in response.content.decode()
        assert hermit.pk not in {p.id for p in response.context["going"]}
        assert response.context["summary"]["shown"] == 6
        # Not even a line without a name: the member's tie to ana and ana ↔ bob, no more.
        assert response.context["svg"].count("<line") == 2


@pytest.mark.parametrize("size", [12, 120])  # drawn with faces; above LARGE_GRAPH, dots
def test_the_picture_read_from_the_cache_is_the_one_drawn(client, event, member, size):
    members = bulk_members("p", size)
    going(event, *members)
    for i in range(0, size - 1):
        tie(members[i], members[i + 1])
    client.force_login(member)
    drawn = page(client, event, graph="everyone").context["svg"]
    assert page(client, event, graph="everyone").context["svg"] == drawn
