"""The event's people view: graph, newcomers, icebreakers, viewer lists, privacy, queries."""

import pytest
from django.urls import reverse

from community.models import Tie, User
from events.models import RSVP, Meeting
from events.people import event_people
from tests.conftest import make_event, make_member


def bulk_members(prefix: str, count: int) -> list[User]:
    """Many members at once, without the cost of hashing a password for each."""
    return User.objects.bulk_create(
        User(
            username=f"{prefix}{i:03d}",
            email=f"{prefix}{i:03d}@example.org",
            display_name=f"{prefix.title()} {i:03d}",
            password="!",
            calendar_token=f"{prefix}-token-{i}",
        )
        for i in range(count)
    )


def going(event, *members, status=RSVP.Status.GOING):
    for m in members:
        RSVP.objects.create(event=event, member=m, status=status)


def tie(a, b, network="x"):
    return Tie.objects.create(from_member=a, to_member=b, network=network)


@pytest.fixture
def crowd(db, event):
    """ana ↔ bob mutual, bob → chloe, dan alone, eve waitlisted."""
    people = {n: make_member(n) for n in ("ana", "bob", "chloe", "dan", "eve")}
    going(event, people["ana"], people["bob"], people["chloe"], people["dan"])
    going(event, people["eve"], status=RSVP.Status.WAITLISTED)
    tie(people["ana"], people["bob"])
    tie(people["bob"], people["ana"])
    tie(people["bob"], people["chloe"])
    return people


def names(items):
    return [p.username for p in items]


def page(client, event):
    return client.get(reverse("events:people", args=[event.slug]))


def test_summary_figures(client, event, crowd):
    summary = page(client, event).context["summary"]
    assert summary == {
        "going": 4,
        "waitlisted": 1,
        "knowing_one": 3,
        "share_knowing": 75,
        "clusters": 1,
        "largest": 3,
    }


def test_anonymous_visitors_see_counts_not_names(client, event, crowd):
    response = page(client, event)
    body = response.content.decode()
    assert response.status_code == 200
    assert "going" not in response.context
    for username in crowd:
        assert username.title() not in body


def test_member_sees_attendees_and_whom_they_know(client, event, crowd, member):
    client.force_login(member)
    ctx = page(client, event).context
    assert names(ctx["going"]) == ["ana", "bob", "chloe", "dan"]
    knows = {p.username: [(o.username, d) for o, d in p.knows] for p in ctx["going"]}
    assert knows == {
        "ana": [("bob", "mutual")],
        "bob": [("ana", "mutual"), ("chloe", "out")],
        "chloe": [("bob", "in")],
        "dan": [],
    }
    assert names(ctx["waitlisted"]) == ["eve"]
    assert names(ctx["newcomers"]) == ["dan"]
    assert ctx["clusters"] == ["Ana, Bob, Chloe"]


def test_icebreakers_are_tied_pairs_who_never_met(client, event, crowd, member):
    earlier = make_event(title="Earlier", days=-30)
    a, b = sorted([crowd["ana"].pk, crowd["bob"].pk])
    Meeting.objects.create(event=earlier, member_a_id=a, member_b_id=b)
    client.force_login(member)
    pairs = [(x.username, y.username) for x, y, _m in page(client, event).context["icebreakers"]]
    assert pairs == [("bob", "chloe")]


def test_viewer_lists_known_friends_of_friends_and_met(client, event, crowd, member):
    linker = make_member("lina")  # not going
    tie(member, crowd["ana"])
    tie(member, linker)
    tie(linker, crowd["dan"])
    earlier = make_event(title="Earlier", days=-30)
    a, b = sorted([member.pk, crowd["chloe"].pk])
    Meeting.objects.create(event=earlier, member_a_id=a, member_b_id=b)
    client.force_login(member)
    ctx = page(client, event).context
    assert names(ctx["known_going"]) == ["ana"]
    fof = {p.username: names(linkers) for p, linkers in ctx["friends_of_friends"]}
    assert fof == {"bob": ["ana"], "dan": ["lina"]}
    assert names(ctx["met"]) == ["chloe"]


def test_graph_svg_is_deterministic_and_labelled(client, event, crowd, member):
    client.force_login(member)
    first = page(client, event).context["svg"]
    second = page(client, event).context["svg"]
    assert first == second
    assert first.startswith("<svg")
    assert 'style="' not in first
    assert first.count('class="attendee"') == 4
    assert first.count("tie-mutual") == 1
    assert first.count("tie-oneway") == 1
    assert "<title>Ana</title>" in first


def test_large_graph_uses_titles_not_labels(member, event):
    members = bulk_members("p", 120)
    going(event, *members)
    for i in range(0, 120, 2):
        tie(members[i], members[i + 1])
    ctx = event_people(event=event, viewer=member)
    assert ctx["svg"].count('class="attendee"') == 120
    assert ctx["svg"].count("<text") == 0
    assert ctx["summary"]["clusters"] == 60


@pytest.mark.parametrize(
    ("visibility", "anonymous_summary_only", "member_sees_tie"),
    [("everyone", True, True), ("members", True, True), ("nobody", True, False)],
)
def test_ties_visibility_is_honoured(
    client, event, member, visibility, anonymous_summary_only, member_sees_tie
):
    ana, bob = make_member("ana"), make_member("bob")
    going(event, ana, bob)
    ana.ties_visibility = visibility
    ana.save()
    tie(ana, bob)
    assert "going" not in page(client, event).context
    client.force_login(member)
    ctx = page(client, event).context
    assert (len(ctx["icebreakers"]) == 1) is member_sees_tie
    assert ("tie-oneway" in ctx["svg"]) is member_sees_tie
    assert (names(ctx["newcomers"]) == []) is member_sees_tie
    client.force_login(ana)  # the owner always sees their own ties
    assert len(page(client, event).context["icebreakers"]) == 1


@pytest.mark.parametrize("hidden", [{"listed_in_attendees": False}, {"is_active": False}])
def test_attendee_not_listed_is_counted_but_not_named(client, event, member, hidden):
    shy = make_member("shy", display_name="Shy Person", **hidden)
    bob = make_member("bob")
    going(event, shy, bob)
    tie(bob, shy)
    client.force_login(member)
    response = page(client, event)
    assert names(response.context["going"]) == ["bob"]
    assert response.context["hidden_going"] == 1
    assert response.context["summary"]["going"] == 2
    assert "Shy Person" not in response.content.decode()


def test_unlisted_attendee_sees_themselves(client, event):
    shy = make_member("shy", display_name="Shy Person", listed_in_attendees=False)
    going(event, shy, make_member("bob"))
    client.force_login(shy)
    assert names(page(client, event).context["going"]) == ["shy", "bob"]


def test_unlisted_waitlisted_member_is_not_named(client, event, member):
    going(event, make_member("shy", listed_in_attendees=False), status=RSVP.Status.WAITLISTED)
    client.force_login(member)
    ctx = page(client, event).context
    assert ctx["waitlisted"] == []
    assert ctx["summary"]["waitlisted"] == 1


def test_hold_event_people_view_is_404(client, db):
    hold = make_event(title="Secret", status="hold")
    assert page(client, hold).status_code == 404


def test_unknown_event_is_404(client, db):
    assert client.get("/events/nope/people/").status_code == 404


def build(event, size, viewer):
    members = bulk_members(f"m{size}-", size)
    going(event, *members[:-1])
    going(event, members[-1], status=RSVP.Status.WAITLISTED)
    for i in range(size - 2):
        tie(members[i], members[i + 1])
    tie(viewer, members[0])
    linker = make_member(f"link{size}")
    tie(viewer, linker)
    tie(linker, members[2])
    earlier = make_event(title=f"Earlier {size}", days=-40)
    Meeting.objects.create(event=earlier, member_a=members[0], member_b=members[1])


@pytest.mark.parametrize("size", [5, 50])
def test_people_view_has_a_constant_number_of_queries(
    client, django_assert_num_queries, member, size
):
    event = make_event(title=f"Big {size}")
    build(event, size, member)
    client.force_login(member)
    # session, user, event, RSVPs, ties among those going, meetings, viewer's ties, 2nd degree,
    # and the header's organiser link
    with django_assert_num_queries(
        11
    ):  # + data version and header photo (the series colours, the header)
        response = page(client, event)
    assert len(response.context["going"]) == size - 1


@pytest.mark.parametrize("size", [5, 50])
def test_anonymous_people_view_has_a_constant_number_of_queries(
    client, django_assert_num_queries, member, size
):
    event = make_event(title=f"Big {size}")
    build(event, size, member)
    with django_assert_num_queries(4):  # + the data version (the series colours stylesheet link)
        response = page(client, event)
    assert response.context["summary"]["going"] == size - 1


def test_event_page_links_to_the_people_view(client, event):
    response = client.get(event.get_absolute_url())
    assert reverse("events:people", args=[event.slug]) in response.content.decode()


def test_people_page_renders_in_english(client, event, crowd, member):
    client.force_login(member)
    response = client.get(
        reverse("events:people", args=[event.slug]), headers={"accept-language": "en"}
    )
    body = response.content.decode()
    assert "Newcomers" in body
    assert "knows 2 other attendees" in body


def test_friend_of_friend_link_hidden_when_the_linker_hides_their_ties(
    client, event, crowd, member
):
    linker = make_member("lina", ties_visibility="nobody")
    tie(member, linker)
    tie(linker, crowd["dan"])
    client.force_login(member)
    ctx = page(client, event).context
    assert ctx["friends_of_friends"] == []
    assert ctx["known_going"] == []


def test_large_cluster_layout_is_deterministic_and_inside_the_picture(member, event):
    members = bulk_members("c", 150)
    going(event, *members)
    for a, b in zip(members, members[1:], strict=False):
        tie(a, b)
    first = event_people(event=event, viewer=member)
    second = event_people(event=event, viewer=member)
    assert first["svg"] == second["svg"]
    assert first["summary"]["largest"] == 150
    width, height = (float(n) for n in first["svg"].split('viewBox="0 0 ')[1].split('"')[0].split())
    circles = first["svg"].split('<g class="attendees">')[1]
    xs = [float(part.split('"')[0]) for part in circles.split('cx="')[1:]]
    ys = [float(part.split('"')[0]) for part in circles.split('cy="')[1:]]
    assert len(xs) == 150
    assert all(0 <= x <= width for x in xs) and all(0 <= y <= height for y in ys)


def test_graph_title_and_description_are_french_on_french_pages(client, event, crowd, member):
    client.force_login(member)
    svg = page(client, event).context["svg"]
    assert '<title id="graph-title">Qui connaît qui parmi les participants</title>' in svg
    desc = svg.split('<desc id="graph-desc">')[1].split("</desc>")[0]
    assert desc.startswith("Chaque cercle est un participant, chaque trait un lien en ligne.")
    assert "une flèche en pointillés va d’un membre vers une personne qu’il ou elle suit" in desc


def test_graph_title_is_english_on_english_pages(client, event, crowd, member):
    client.force_login(member)
    response = client.get(
        reverse("events:people", args=[event.slug]), headers={"accept-language": "en"}
    )
    svg = response.context["svg"]
    assert '<title id="graph-title">Who knows whom among the attendees</title>' in svg


def test_tie_directions_are_spelled_out_with_both_names(client, event, crowd, member):
    client.force_login(member)
    going = {p.username: p for p in page(client, event).context["going"]}
    assert going["bob"].knows_text == "Ana (réciproque), Chloe (Bob suit Chloe)"
    assert going["chloe"].knows_text == "Bob (Bob suit Chloe)"
    assert going["ana"].knows_text == "Bob (réciproque)"
    english = client.get(
        reverse("events:people", args=[event.slug]), headers={"accept-language": "en"}
    )
    going = {p.username: p for p in english.context["going"]}
    assert going["bob"].knows_text == "Ana (mutual), Chloe (Bob follows Chloe)"
    assert going["chloe"].knows_text == "Bob (Bob follows Chloe)"


def test_going_figure_has_a_heading_not_a_status(client, event, crowd):
    body = page(client, event).content.decode()
    assert '<div><dt>Participants</dt><dd data-figure="going">4</dd></div>' in body
    english = client.get(
        reverse("events:people", args=[event.slug]), headers={"accept-language": "en"}
    ).content.decode()
    assert '<div><dt>Going</dt><dd data-figure="going">4</dd></div>' in english


def test_profile_links_are_the_members_absolute_urls(client, event, crowd, member):
    client.force_login(member)
    going = page(client, event).context["going"]
    assert [p.url for p in going] == [crowd[p.username].get_absolute_url() for p in going]
