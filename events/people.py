"""Who knows whom among an event's attendees, and what online ties become at a series.

The people view reads a fixed number of queries whatever the number of attendees (the
RSVPs, the ties among the members going, the meetings among them, the viewer's own ties and
their contacts' ties to the attendees; anonymous visitors only the first two), then does the
graph work with networkx in memory. The picture is drawn by `events/people_graph.py`.

Privacy: a directed tie A → B is shown only to whom A's `ties_visibility` allows; members
who are not listed among attendees (`RSVP.objects.listed()`) are counted but never named
(except to themselves). Summary figures are aggregates over every member going, shown to anyone.
"""

import functools
from dataclasses import dataclass, field

import networkx as nx
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import Tie
from community.ties import can_see_ties
from events.models import RSVP, Event, Meeting, Series
from events.people_graph import graph_svg

ICEBREAKERS_SHOWN = 200


@dataclass
class Person:
    id: int
    name: str
    username: str
    initials: str
    url: str
    # Filled for going attendees: who they know among the others, with the tie's direction
    # seen from this person: "mutual", "out" (they follow the other) or "in".
    knows: list[tuple["Person", str]] = field(default_factory=list)
    knows_text: str = ""
    knows_label: str = ""
    cluster: int = 0


def make_person(member_id: int, name: str, username: str) -> Person:
    name = name or username
    initials = "".join(part[0] for part in name.split()[:2]).upper() or "?"
    url = reverse("community:profile", args=[username])
    return Person(member_id, name, username, initials, url)


@dataclass
class Attendees:
    """The RSVPs of an event (going, then waiting) and which of them the viewer may name."""

    going_ids: list[int]
    waitlisted_ids: list[int]
    visibility: dict[int, str]  # each member's `ties_visibility`
    shown: set[int]
    names: dict[int, tuple[str, str]]  # display name and username of the members shown


def _going(event: Event):
    return RSVP.objects.going().filter(event=event).values("member_id")


def _attendees(event: Event, viewer_id: int | None) -> Attendees:
    rows = list(
        RSVP.objects.active()
        .filter(event=event)
        .annotate(listed=Exists(RSVP.objects.listed().filter(pk=OuterRef("pk"))))
        .order_by("status_changed_at", "pk")
        .values_list(
            "member_id",
            "status",
            "member__display_name",
            "member__username",
            "listed",
            "member__ties_visibility",
        )
    )
    shown = {r[0] for r in rows if r[4] or r[0] == viewer_id}
    return Attendees(
        going_ids=[r[0] for r in rows if r[1] == RSVP.Status.GOING],
        waitlisted_ids=[r[0] for r in rows if r[1] != RSVP.Status.GOING],
        visibility={r[0]: r[5] for r in rows},
        shown=shown,
        names={r[0]: (r[2], r[3]) for r in rows if r[0] in shown},
    )


def _summary(going_ids: list[int], graph: nx.Graph, components: list[set[int]]) -> dict:
    knowing = sum(1 for _n, degree in graph.degree() if degree > 0)
    return {
        "going": len(going_ids),
        "knowing_one": knowing,
        "share_knowing": round(100 * knowing / len(going_ids)) if going_ids else 0,
        "clusters": len(components),
        "largest": max((len(c) for c in components), default=0),
    }


def event_people(*, event: Event, viewer) -> dict:
    """Context for the people view of `event` as `viewer` sees it."""
    logged_in = viewer is not None and viewer.is_authenticated
    attendees = _attendees(event, viewer.pk if logged_in else None)
    # One query whatever the number of attendees: both ends among the members going.
    ties = set(
        Tie.objects.filter(
            from_member_id__in=_going(event), to_member_id__in=_going(event)
        ).values_list("from_member_id", "to_member_id")
    )
    # Summary figures: aggregates over every member going.
    full = nx.Graph()
    full.add_nodes_from(sorted(attendees.going_ids))
    full.add_edges_from(ties)
    components = [c for c in nx.connected_components(full) if len(c) > 1]
    summary = _summary(attendees.going_ids, full, components)
    summary["waitlisted"] = len(attendees.waitlisted_ids)
    ctx = {"summary": summary, "show_names": logged_in}
    if logged_in:
        ctx.update(_member_context(event, viewer, attendees, ties, full, components))
    return ctx


def _member_context(
    event: Event, viewer, attendees: Attendees, ties: set, full: nx.Graph, components: list
) -> dict:
    """The names, lists and picture of the people view, for a logged-in viewer."""
    shown = attendees.shown
    people = {i: make_person(i, *names) for i, names in attendees.names.items()}
    visible = _visible_ties(ties, attendees, viewer)
    if len(visible) == len(ties) and set(attendees.going_ids) <= shown:
        graph, parts = full, components  # the viewer sees everything: no need to build it twice
    else:
        graph = nx.Graph()
        graph.add_nodes_from(sorted(i for i in attendees.going_ids if i in shown))
        graph.add_edges_from(visible)
        parts = nx.connected_components(graph)
    going = [people[i] for i in attendees.going_ids if i in shown]
    _fill_knows(graph, visible, people, going)
    clusters = _clusters(parts, people)
    met_pairs, met_here = _meetings(event, viewer.pk)
    icebreakers, pairs_count = _icebreakers(graph, visible, people, met_pairs)
    ctx = {
        "going": going,
        "hidden_going": len(attendees.going_ids) - len(going),
        "waitlisted": [people[i] for i in attendees.waitlisted_ids if i in shown],
        "newcomers": [p for p in going if not p.knows],
        "icebreakers": icebreakers,
        "icebreakers_more": max(pairs_count - ICEBREAKERS_SHOWN, 0),
        "icebreakers_count": pairs_count,
        "clusters": [", ".join(people[i].name for i in c) for c in clusters],
        "svg": graph_svg(graph, visible, people, clusters),
        "met": [p for p in going if p.id != viewer.pk and _pair(p.id, viewer.pk) in met_pairs],
        "can_record_meetings": event.is_past and viewer.pk in attendees.going_ids,
        "met_here": {b if a == viewer.pk else a for a, b in met_here if viewer.pk in (a, b)},
    }
    ctx.update(_viewer_context(viewer=viewer, event=event, attendees=attendees, people=people))
    return ctx


def _pair(a: int, b: int) -> tuple[int, int]:
    """A meeting's pair of members, as stored (`member_a` < `member_b`)."""
    return (a, b) if a < b else (b, a)


def _visible_ties(ties: set[tuple[int, int]], attendees: Attendees, viewer) -> set:
    """The ties the viewer may see: between members shown, allowed by their owner."""
    shown = attendees.shown
    seen_owner = {
        owner: can_see_ties(owner_id=owner, visibility=attendees.visibility[owner], viewer=viewer)
        for owner in {a for a, _b in ties}
    }
    return {(a, b) for a, b in ties if a in shown and b in shown and seen_owner[a]}


def _fill_knows(graph: nx.Graph, visible: set, people: dict[int, Person], going: list) -> None:
    """Each going attendee's `knows` list, in name order, and its text for the page."""
    sort_key = {i: p.name.lower() for i, p in people.items()}
    follows_of: dict[int, set[int]] = {}
    for a, b in visible:
        follows_of.setdefault(a, set()).add(b)
    nobody: set[int] = set()
    # Walking the others in name order fills every list already sorted.
    for other_id in sorted(graph.nodes, key=sort_key.__getitem__):
        other = people[other_id]
        other_follows = follows_of.get(other_id, nobody)
        for person_id in graph[other_id]:
            out = other_id in follows_of.get(person_id, nobody)
            back = person_id in other_follows
            direction = "mutual" if out and back else ("out" if out else "in")
            people[person_id].knows.append((other, direction))

    mutual = _("mutual")
    # The direction in words, both names spelled out, so that nobody wonders who follows whom.
    follows = _("%(follower)s follows %(followed)s")

    @functools.cache
    def knows_label(count: int) -> str:
        return ngettext(
            "knows %(count)s other attendee", "knows %(count)s other attendees", count
        ) % {"count": count}

    for person in going:
        # Plain text for the list (escaped by the template): one string instead of a loop.
        person.knows_text = ", ".join(
            f"{other.name} ({mutual})"
            if direction == "mutual"
            else f"{other.name} ({follows % _follow_names(person, other, direction)})"
            for other, direction in person.knows
        )
        person.knows_label = knows_label(len(person.knows))


def _follow_names(person: Person, other: Person, direction: str) -> dict[str, str]:
    if direction == "out":
        return {"follower": person.name, "followed": other.name}
    return {"follower": other.name, "followed": person.name}


def _clusters(parts, people: dict[int, Person]) -> list[list[int]]:
    """Clusters of two or more, largest first, each sorted; numbers them on `people`."""
    clusters = sorted((sorted(c) for c in parts if len(c) > 1), key=lambda c: (-len(c), c[0]))
    for number, members in enumerate(clusters, start=1):
        for member_id in members:
            people[member_id].cluster = number
    return clusters


def _meetings(event: Event, viewer_id: int) -> tuple[set, set]:
    """Pairs among those going (and the viewer) who met at any event, and those met here."""
    meetings = list(
        Meeting.objects.filter(
            Q(member_a_id__in=_going(event)) | Q(member_a_id=viewer_id),
            Q(member_b_id__in=_going(event)) | Q(member_b_id=viewer_id),
        ).values_list("member_a_id", "member_b_id", "event_id")
    )
    met_pairs = {(a, b) for a, b, _e in meetings}
    met_here = {(a, b) for a, b, e in meetings if e == event.pk}
    return met_pairs, met_here


def _icebreakers(graph: nx.Graph, visible: set, people: dict, met_pairs: set) -> tuple[list, int]:
    """Pairs tied online who never met at any event, in name order; only the first listed."""
    pairs = []
    for a, b in graph.edges():
        if _pair(a, b) not in met_pairs:
            ka, kb = people[a].name.lower(), people[b].name.lower()
            pairs.append((ka, kb, a, b) if (ka, a) <= (kb, b) else (kb, ka, b, a))
    pairs.sort()
    shown = [
        (people[a], people[b], (a, b) in visible and (b, a) in visible)
        for _ka, _kb, a, b in pairs[:ICEBREAKERS_SHOWN]
    ]
    return shown, len(pairs)


def _viewer_context(*, viewer, event: Event, attendees: Attendees, people: dict) -> dict:
    """People the viewer knows who are going, and friends-of-friends with who links them."""
    shown = attendees.shown
    going_shown = {i for i in attendees.going_ids if i in shown}
    contacts: dict[int, Person] = {
        i: people.get(i) or make_person(i, *names) for i, names in visible_contacts(viewer).items()
    }
    known_going = sorted(
        (people[i] for i in contacts if i in going_shown), key=lambda p: p.name.lower()
    )
    candidates = {i for i in going_shown if i not in contacts and i != viewer.pk}
    links = _links(viewer, event, contacts, candidates) if contacts and candidates else {}
    fof = [
        (people[target], sorted((contacts[i] for i in linkers), key=lambda p: p.name.lower()))
        for target, linkers in links.items()
    ]
    fof.sort(key=lambda item: item[0].name.lower())
    return {"known_going": known_going, "friends_of_friends": fof}


def visible_contacts(viewer) -> dict[int, tuple[str, str]]:
    """The members tied to the viewer either way, through a tie the viewer may see (its
    owner's `ties_visibility` decides): id → (display name, username). One query."""
    mine = Tie.objects.filter(Q(from_member=viewer) | Q(to_member=viewer)).values_list(
        "from_member_id",
        "from_member__display_name",
        "from_member__username",
        "from_member__ties_visibility",
        "to_member_id",
        "to_member__display_name",
        "to_member__username",
    )
    contacts: dict[int, tuple[str, str]] = {}
    for a, a_name, a_user, a_vis, b, b_name, b_user in mine:
        if not can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer):
            continue
        other_id, names = (b, (b_name, b_user)) if a == viewer.pk else (a, (a_name, a_user))
        contacts.setdefault(other_id, names)
    return contacts


def contacts_going(*, viewer, event_ids: list[int]) -> dict[int, list]:
    """For each of `event_ids`, the viewer's contacts going who let themselves be listed
    among attendees, as members with their photo, earliest RSVP first. Two queries
    whatever the number of events (for the cards of `/` and of a series page)."""
    contact_ids = list(visible_contacts(viewer)) if event_ids else []
    if not contact_ids:
        return {}
    going = (
        RSVP.objects.going()
        .listed()
        .filter(event_id__in=event_ids, member_id__in=contact_ids)
        .select_related("member__photo")
        .order_by("event_id", "status_changed_at", "pk")
    )
    by_event: dict[int, list] = {}
    for rsvp in going:
        by_event.setdefault(rsvp.event_id, []).append(rsvp.member)
    return by_event


def _links(viewer, event: Event, contacts: dict, candidates: set[int]) -> dict[int, set[int]]:
    """For each candidate going, the viewer's contacts tied to them (ties the viewer may see)."""
    second = Tie.objects.filter(
        Q(from_member_id__in=list(contacts), to_member_id__in=_going(event))
        | Q(from_member_id__in=_going(event), to_member_id__in=list(contacts))
    ).values_list("from_member_id", "to_member_id", "from_member__ties_visibility")
    links: dict[int, set[int]] = {}
    for a, b, a_vis in second:
        linker, target = (a, b) if a in contacts else (b, a)
        if target in candidates and can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer):
            links.setdefault(target, set()).add(linker)
    return links


def series_meeting_stats(*, series: Series) -> dict:
    """The community's own measure for a series: online ties turned into meetings.

    `ties_met`: pairs tied online before an event of the series who recorded "we met" there.
    `newcomers_met`: attendees who came knowing none of the others going and met someone.
    """
    tie_before = Tie.objects.filter(created_at__lt=OuterRef("event__start"))
    ties_met = (
        Meeting.objects.filter(event__series=series)
        .filter(
            Exists(
                tie_before.filter(
                    Q(from_member=OuterRef("member_a"), to_member=OuterRef("member_b"))
                    | Q(from_member=OuterRef("member_b"), to_member=OuterRef("member_a"))
                )
            )
        )
        .values("member_a", "member_b")
        .distinct()
        .count()
    )
    going_there = RSVP.objects.going().filter(event=OuterRef(OuterRef("event")))
    knew_someone = Exists(
        tie_before.filter(
            from_member=OuterRef("member"), to_member__in=going_there.values("member")
        )
    ) | Exists(
        tie_before.filter(
            to_member=OuterRef("member"), from_member__in=going_there.values("member")
        )
    )
    met_someone = Exists(
        Meeting.objects.filter(event=OuterRef("event")).filter(
            Q(member_a=OuterRef("member")) | Q(member_b=OuterRef("member"))
        )
    )
    newcomers_met = (
        RSVP.objects.going()
        .filter(event__series=series)
        .filter(~knew_someone, met_someone)
        .values("member")
        .distinct()
        .count()
    )
    return {"ties_met": ties_met, "newcomers_met": newcomers_met}
