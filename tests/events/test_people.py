"""The event's people view: figures, the member's own sections, lists, picture, privacy,
queries."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from community import photos
from community.models import Tie, User
from events.models import RSVP, Meeting
from events.people import AROUND_ME_MAX, SAY_HELLO_MAX, event_people
from events.people_graph import COMPACT, _label_box, _overlaps
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


def tie(a, b, network="x", **extra):
    return Tie.objects.create(from_member=a, to_member=b, network=network, **extra)


def met(event, a, b, confirmed=True):
    x, y = sorted([a.pk, b.pk])
    return Meeting.objects.create(
        event=event,
        member_a_id=x,
        member_b_id=y,
        recorded_by=a,
        confirmed_at=timezone.now() if confirmed else None,
    )


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


NODE = re.compile(r'class="attendee( node-\w+)?"')


def names(items):
    return [p.username for p in items]


def page(client, event, **query):
    return client.get(reverse("events:people", args=[event.slug]), query)


def test_summary_figures_from_five_attendees(client, event, crowd, member):
    going(event, make_member("fay"))
    client.force_login(member)
    summary = page(client, event).context["summary"]
    assert summary == {
        "going": 5,
        "waitlisted": 1,
        "shown": 5,
        "few": False,
        "figures": True,
        "knowing_one": 3,
        "share_knowing": 60,
        "clusters": 1,
        "largest": 3,
    }


def test_summary_figures_hidden_below_five_attendees(client, event, crowd):
    response = page(client, event)
    assert response.context["summary"] == {
        "going": 4,
        "waitlisted": 1,
        "shown": 4,
        "few": True,
        "figures": False,
    }
    body = response.content.decode()
    assert 'data-figure="share"' not in body
    assert "Qui connaît qui est dit en chiffres à partir de cinq participants affichés." in body


def test_anonymous_figures_count_only_what_anonymous_visitors_may_see(client, event, hermit):
    """Two ties here: one to a member attending unlisted, one its owner shows to members
    only. Neither may shape the figures an anonymous visitor reads."""
    five = [make_member(n) for n in ("ana", "bob", "chloe", "dan", "fay")]
    going(event, hermit, *five)
    tie(five[0], hermit)
    five[1].ties_visibility = "members"
    five[1].save()
    tie(five[1], five[2])
    response = page(client, event)
    summary = response.context["summary"]
    # No tie anonymous visitors may see: no figure about ties, rather than "0 %".
    assert summary == {
        "going": 6,
        "waitlisted": 0,
        "shown": 5,
        "few": False,
        "figures": False,
    }
    assert 'data-figure="share"' not in response.content.decode()
    five[2].ties_visibility = "everyone"
    five[2].save()
    tie(five[2], five[3])
    summary = page(client, event).context["summary"]
    assert (summary["shown"], summary["knowing_one"], summary["clusters"]) == (5, 2, 1)
    client.force_login(five[3])
    summary = page(client, event).context["summary"]
    assert (summary["shown"], summary["knowing_one"], summary["clusters"]) == (5, 3, 1)


def test_anonymous_visitors_see_counts_not_names(client, event, crowd):
    response = page(client, event)
    body = response.content.decode()
    assert "going" not in response.context
    assert "svg" not in response.context
    for username in crowd:
        assert username.title() not in body


def test_member_sees_attendees_by_relevance_and_whom_they_know(client, event, crowd, member):
    client.force_login(member)
    ctx = page(client, event).context
    # Nobody is the viewer's contact: the most tied first, then by name.
    assert names(ctx["going"]) == ["bob", "ana", "chloe", "dan"]
    knows = {p.username: [(o.username, d) for o, d in p.knows] for p in ctx["going"]}
    assert knows == {
        "ana": [("bob", "mutual")],
        "bob": [("ana", "mutual"), ("chloe", "out")],
        "chloe": [("bob", "in")],
        "dan": [],
    }
    assert names(ctx["waitlisted"]) == ["eve"]
    assert names(ctx["newcomers"]) == ["dan"]


def test_lists_put_the_viewers_contacts_and_their_contacts_first(client, event, crowd, member):
    tie(member, crowd["chloe"])
    tie(member, crowd["dan"])
    client.force_login(member)
    ctx = page(client, event).context
    # chloe and dan are contacts (chloe more tied), bob knows a contact, ana does not.
    assert names(ctx["going"]) == ["chloe", "dan", "bob", "ana"]
    assert names(ctx["waitlisted"]) == ["eve"]


def test_icebreakers_are_tied_pairs_who_never_met(client, event, crowd, member):
    earlier = make_event(title="Earlier", days=-30)
    met(earlier, crowd["ana"], crowd["bob"])
    client.force_login(member)
    ctx = page(client, event).context
    pairs = [(a.username, b.username) for a, b, _mutual, _mine in ctx["icebreakers"]]
    assert pairs == [("bob", "chloe")]
    assert ctx["icebreakers_count"] == 1


def test_a_meeting_only_one_side_recorded_does_not_count_as_met(client, event, crowd, member):
    earlier = make_event(title="Earlier", days=-30)
    met(earlier, crowd["ana"], crowd["bob"], confirmed=False)
    client.force_login(member)
    pairs = {
        (a.username, b.username) for a, b, _m, _mine in page(client, event).context["icebreakers"]
    }
    assert pairs == {("bob", "ana"), ("bob", "chloe")}


def test_my_icebreakers_are_pairs_of_my_contacts(client, event, crowd, member):
    tie(member, crowd["ana"])
    tie(member, crowd["bob"])
    client.force_login(member)
    ctx = page(client, event).context
    mine = [(a.username, b.username, mutual) for a, b, mutual, _mine in ctx["my_icebreakers"]]
    assert mine == [("bob", "ana", True)]
    body = page(client, event).content.decode()
    assert "Présentez-les" in body


def test_my_icebreakers_are_few_and_name_each_person_once(client, event, member):
    hub, *others = bulk_members("ice", 9)
    going(event, hub, *others)
    for person in (hub, *others):
        tie(member, person)
    for other in others:
        tie(hub, other)  # hub knows all eight
    for a, b in zip(others[::2], others[1::2], strict=True):
        tie(a, b)
    client.force_login(member)
    mine = page(client, event).context["my_icebreakers"]
    people = [p.username for a, b, _m, _mine in mine for p in (a, b)]
    assert len(mine) == 3
    assert len(people) == len(set(people))


def test_known_going_shown_as_faces(client, event, crowd, member):
    tie(member, crowd["ana"])
    crowd["chloe"].ties_visibility = "members"
    crowd["chloe"].save()
    tie(crowd["chloe"], member)  # chloe follows the viewer: a contact too
    client.force_login(member)
    response = page(client, event)
    assert names(response.context["known_going"]) == ["ana", "chloe"]
    body = response.content.decode()
    assert "Vous en connaissez 2" in body
    stack = body.split('<ul class="face-stack')[1].split("</ul>")[0]
    assert 'aria-label="Ana"' in stack and 'aria-label="Chloe"' in stack


def test_say_hello_ranks_contacts_never_met_and_friends_of_friends(client, event, member):
    old = timezone.now().replace(year=2019)
    ana, bob, chloe, dan, lina = (make_member(n) for n in ("ana", "bob", "chloe", "dan", "lina"))
    going(event, ana, bob, chloe, dan)
    tie(member, ana, network="mastodon")
    Tie.objects.filter(from_member=member, to_member=ana).update(created_at=old)
    tie(member, bob)
    tie(bob, member)
    tie(member, lina)  # a contact who is not going
    for linker in (ana, bob, lina):
        tie(linker, dan)  # dan knows three of the viewer's contacts
    tie(ana, chloe)  # chloe knows one
    client.force_login(member)
    response = page(client, event)
    hello = [(p.username, reason) for p, reason in response.context["say_hello"]]
    year = timezone.now().year
    # In turn: contacts never met (mutual first), people who know the most contacts.
    assert hello == [
        ("bob", f"vous vous suivez sur X / Twitter depuis {year}, jamais rencontré"),
        ("dan", "connaît 3 de vos contacts\u00a0: Ana, Bob"),
        ("ana", "vous suivez sur Mastodon depuis 2019, jamais rencontré"),
        ("chloe", "connaît 1 de vos contacts\u00a0: Ana"),
    ]
    assert "Dites bonjour à" in response.content.decode()


def test_a_deactivated_contact_is_not_named_in_a_reason(client, event, member):
    dan = make_member("dan")
    gone = make_member("gone", display_name="Gone Member", is_active=False)
    going(event, dan)
    tie(member, gone)
    tie(gone, dan)
    client.force_login(member)
    response = page(client, event)
    assert response.context["say_hello"] == []
    assert "Gone Member" not in response.content.decode()


def test_say_hello_leaves_out_people_already_met_and_stops_at_eight(client, event, member):
    others = bulk_members("h", 12)
    going(event, *others)
    for other in others:
        tie(member, other)
    earlier = make_event(title="Earlier", days=-30)
    met(earlier, member, others[0])
    client.force_login(member)
    hello = page(client, event).context["say_hello"]
    assert len(hello) == SAY_HELLO_MAX
    assert others[0].username not in names(p for p, _reason in hello)


def test_newcomers_beyond_six_are_collapsed(client, event, member):
    going(event, *bulk_members("n", 11))
    client.force_login(member)
    response = page(client, event)
    assert len(response.context["newcomers"]) == 6
    assert len(response.context["newcomers_more"]) == 5
    assert "5 nouveaux venus de plus" in response.content.decode()


def test_full_lists_are_collapsed(client, event, crowd, member):
    client.force_login(member)
    body = page(client, event).content.decode()
    lists = body.split('id="lists-title"')[1]
    assert lists.count('<details class="people-more">') == 3  # attendees, icebreakers, waitlist
    assert "<details open" not in body


def test_graph_svg_is_deterministic_and_labelled(client, event, crowd, member):
    client.force_login(member)
    first = page(client, event).context["svg"]
    second = page(client, event).context["svg"]
    assert first == second
    assert first.startswith("<svg")
    assert 'style="' not in first
    assert len(NODE.findall(first)) == 4
    assert first.count("tie-mutual") == 1
    assert first.count("tie-oneway") == 1
    assert "<title>Ana</title>" in first


def test_around_me_holds_me_my_contacts_and_theirs(client, event, member):
    ana, bob, chloe, dan = (make_member(n) for n in ("ana", "bob", "chloe", "dan"))
    going(event, member, ana, bob, chloe, dan)
    tie(member, ana)
    tie(ana, bob)
    tie(chloe, dan)  # far from the viewer
    client.force_login(member)
    ctx = page(client, event).context
    assert ctx["graph_view"] == "around"
    svg = ctx["svg"]
    assert re.findall(r"<title>([^<]+)</title>", svg) == ["Bob", "Ana", "Camille"]
    assert 'class="attendee node-me"' in svg
    assert 'class="attendee node-contact"' in svg
    assert 'viewBox="0 0 400 ' in svg
    everyone = page(client, event, graph="everyone").context
    assert everyone["graph_view"] == "everyone"
    assert sorted(re.findall(r"<title>([^<]+)</title>", everyone["svg"])) == [
        "Ana",
        "Bob",
        "Camille",
        "Chloe",
        "Dan",
    ]
    body = page(client, event).content.decode()
    assert '<a href="?graph=everyone">Tout le monde</a>' in body
    assert '<a href="?graph=around" aria-current="page">Autour de moi</a>' in body


def test_around_me_is_bounded(client, event, member):
    others = bulk_members("r", 60)
    going(event, member, *others)
    tie(member, others[0])
    for other in others[1:]:
        tie(others[0], other)
    client.force_login(member)
    ctx = page(client, event).context
    assert len(NODE.findall(ctx["svg"])) == AROUND_ME_MAX
    assert ctx["around_left_out"] == 61 - AROUND_ME_MAX


def test_without_contacts_the_picture_is_everyone(client, event, crowd, member):
    client.force_login(member)
    ctx = page(client, event).context
    assert ctx["graph_view"] == "everyone"
    assert ctx["can_choose_view"] is False


def test_louvain_clusters_are_drawn_apart_with_the_bridge(member, event):
    left, right = bulk_members("left", 6), bulk_members("right", 6)
    going(event, *left, *right)
    for group in (left, right):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                tie(a, b)
                tie(b, a)
    tie(left[0], right[0])  # the one bridge
    svg = event_people(event=event, viewer=member, view="everyone")["svg"]
    assert svg.count('stroke-dasharray="4 3"') == 2  # two cluster discs
    assert svg.count("tie-bridge") == 1


def test_labels_never_overlap(member, event):
    crowd = bulk_members("lab", 30)
    going(event, member, *crowd)
    for other in crowd:
        tie(member, other)
    for a, b in zip(crowd, crowd[1:], strict=False):
        tie(a, b)
    svg = event_people(event=event, viewer=member)["svg"]
    labels = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)"[^>]*class="label"[^>]*>([^<]+)</text>', svg
    )
    hidden = re.findall(r'class="label label-hover"', svg)
    assert labels and hidden  # some written, the others on hover or focus
    boxes = [
        _label_box(float(x), float(y) - COMPACT.node_r - 2 - COMPACT.font, text, COMPACT)
        for x, y, text in labels
    ]
    for i, a in enumerate(boxes):
        assert not any(_overlaps(a, b) for b in boxes[i + 1 :])
    # 14 units of a 400-unit-wide picture on a 330 px phone figure: at least 11 px.
    assert (
        min(int(size) for size in re.findall(r'font-size="(\d+)"[^>]*class="label', svg))
        * (330 / 400)
        >= 11
    )


def test_nodes_show_faces(member, event):
    from community.models import Photo

    ana, bob = make_member("ana"), make_member("bob")
    Photo.objects.create(member=ana, digest="abcdef0123456789")
    going(event, ana, bob)
    tie(ana, bob)
    svg = event_people(event=event, viewer=member, view="everyone")["svg"]
    assert '<image href="/media/faces/abcdef0123456789-96.webp"' in svg  # ana's photo
    assert ">B</text>" in svg  # bob has no photo: his initial on his avatar colour


def test_large_graph_draws_dots_and_names_only_the_viewers_contacts(member, event):
    members = bulk_members("p", 120)
    going(event, member, *members)
    for i in range(0, 120, 2):
        tie(members[i], members[i + 1])
    tie(member, members[0])
    ctx = event_people(event=event, viewer=member, view="everyone")
    svg = ctx["svg"]
    # A dot per attendee, in a path per colour; the viewer and their contact ringed, named.
    dots = re.findall(r'<path d="([^"]+)"[^>]*class="attendee-dots"', svg)
    assert sum(d.count("h0") for d in dots) == 119
    assert len(dots) <= len(photos.AVATAR_COLOURS)
    assert re.findall(r'class="attendee"><title>([^<]+)</title>', svg) == ["P 000", "Camille"]
    assert svg.count("<text") == 0
    assert ctx["summary"]["clusters"] == 60


@pytest.mark.parametrize(
    ("visibility", "member_sees_tie"), [("everyone", True), ("members", True), ("nobody", False)]
)
def test_ties_visibility_is_honoured(client, event, member, visibility, member_sees_tie):
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


def test_member_who_hides_everything_appears_nowhere(client, event, member, hermit):
    """The hermit goes, follows the viewer and is followed by a listed attendee."""
    others = [make_member(n) for n in ("ana", "bob", "chloe", "dan", "fay")]
    going(event, hermit, *others)
    tie(hermit, member)
    tie(hermit, others[0])
    tie(others[1], hermit)
    tie(member, others[1])
    client.force_login(member)
    for view in ("around", "everyone"):
        response = page(client, event, graph=view)
        ctx = response.context
        assert "Hidden Hermit" not in response.content.decode()
        assert "hermit" not in response.content.decode()
        assert hermit.pk not in {p.id for p in ctx["going"]}
        assert hermit.pk not in {p.id for p in ctx["known_going"]}
        assert hermit.pk not in {p.id for p, _reason in ctx["say_hello"]}
        assert all(hermit.pk not in (a.id, b.id) for a, b, *_rest in ctx["icebreakers"])
    assert ctx["summary"]["shown"] == 5
    assert ctx["summary"]["figures"] is False  # bob's tie to the hermit is not shown: no tie
    client.force_login(hermit)  # the hermit sees themselves and their own ties
    ctx = page(client, event).context
    assert hermit.pk in {p.id for p in ctx["going"]}
    assert names(ctx["known_going"]) == ["ana", "bob"]


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
@pytest.mark.parametrize("view", ["around", "everyone"])
def test_people_view_has_a_constant_number_of_queries(
    client, django_assert_num_queries, member, size, view
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


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("view", ["around", "everyone"])
def test_people_view_reads_the_shared_part_from_the_cache_on_a_repeat(
    client, django_assert_num_queries, member, size, view
):
    event = make_event(title=f"Big {size}")
    build(event, size, member)
    client.force_login(member)
    page(client, event, graph=view)
    # The RSVPs and the ties among those going come from the cache (`events.people.Shared`),
    # the header's parts too: session, user, event, data version, meetings, viewer's ties and
    # 2nd degree.
    with django_assert_num_queries(7):
        response = page(client, event, graph=view)
    assert len(response.context["going"]) == size - 1
    client.logout()
    page(client, event)
    with django_assert_num_queries(2):  # the event and the data version
        response = page(client, event)
    assert response.context["summary"]["going"] == size - 1


def test_event_page_links_to_the_people_view(client, event):
    response = client.get(event.get_absolute_url())
    assert reverse("events:people", args=[event.slug]) in response.content.decode()


def test_people_page_renders_in_english(client, event, crowd, member):
    tie(member, crowd["ana"])
    client.force_login(member)
    response = client.get(
        reverse("events:people", args=[event.slug]), headers={"accept-language": "en"}
    )
    body = response.content.decode()
    assert "Say hello to" in body
    assert "You know 1 of them" in body
    assert "knows 2 other attendees" in body


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


def test_long_lists_of_whom_one_knows_are_cut(client, event, member):
    hub, *others = bulk_members("k", 6)
    going(event, hub, *others)
    for other in others:
        tie(hub, other)
    client.force_login(member)
    going_ = {p.username: p for p in page(client, event).context["going"]}
    text = going_[hub.username].knows_text
    assert text.endswith("et 2 de plus")
    assert going_[hub.username].knows_label == "connaît 5 autres participants"


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
