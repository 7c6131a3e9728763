"""Who knows whom among an event's attendees, and what online ties become at a series.

The people view reads a fixed number of queries whatever the number of attendees (the
RSVPs with the photos, the ties among the members going, the meetings among them, the
viewer's own ties and their contacts' ties to the attendees; anonymous visitors only the
first two), then does the graph work with networkx in memory. The picture is drawn by
`events/people_graph.py`. What is the same for every viewer (the first two queries, the
figures anonymous visitors read, the picture of everyone) is kept in the cache at the data
version (`Shared`): per request, only what is the viewer's own is read and computed.

Privacy: a directed tie A → B is shown only to whom A's `ties_visibility` allows; members
who are not listed among attendees (`RSVP.objects.listed()`) are counted but never named
(except to themselves). The summary figures are computed over what the viewer may see and
only from `FIGURES_MIN_ATTENDEES` attendees shown: on a small evening they would tell who
knows whom.

For a member, every list is ordered by relevance to them: their contacts, then the people
their contacts know (most shared contacts first), then the others (most ties first).
"""

from __future__ import annotations

import functools
import heapq
import itertools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import Network, Photo, Tie
from community.ties import can_see_ties, ties_shown_to_others
from events import cache
from events.models import RSVP, Event, Meeting, Series
from events.people_graph import draw, graph_svg

# networkx is slow to import: loaded when a picture is drawn (and by community/wsgi.py
# before a web worker's first request), not by every command and process that loads the URLs.
if TYPE_CHECKING:
    import networkx as nx

FIGURES_MIN_ATTENDEES = 5
SAY_HELLO_MAX = 8
NEWCOMERS_SHOWN = 6
MY_ICEBREAKERS = 3
ICEBREAKERS_LISTED = 200
KNOWS_NAMED = 3  # names spelled out per attendee in the full list, then "and N more"
AROUND_ME_MAX = 32  # nodes of the "around me" picture, the viewer included
GRAPH_VIEWS = ("around", "everyone")


@dataclass(eq=False, slots=True)
class Person:
    """A member as the people view shows them; quacks like a `User` for `{% face %}`."""

    id: int
    name: str
    username: str
    initials: str
    url: str
    digest: str | None = None  # of the photo, if any
    # Filled for going attendees: the most relevant people they know among the others, with
    # the tie's direction seen from this person: "mutual", "out" (they follow them) or "in".
    knows: list[tuple[Person, str]] = field(default_factory=list)
    knows_count: int = 0
    knows_text: str = ""
    knows_label: str = ""
    knows_line: str = ""  # the label, then the names: the full list's line
    # Sort key for this viewer: contacts, then friends of friends, then the others.
    relevance: tuple = ()
    rank: int = 0  # position in the attendees sorted by relevance: a cheap sort key
    # At an event that is over, the viewer's "we met" with this person: "confirmed", "mine"
    # (the viewer said so), "theirs" (for the viewer to confirm) or "".
    met_state: str = ""

    @property
    def pk(self) -> int:
        return self.id

    @property
    def photo(self) -> Photo | None:
        # Made when a face is drawn (a few dozen per page), not for each of a thousand.
        return Photo(member_id=self.id, digest=self.digest) if self.digest else None

    def __str__(self) -> str:
        return self.name

    def __reduce__(self):
        # In the cache (`Shared`) a person is who they are, before any viewer's ranking:
        # pickled as the arguments of a new one, several times faster to read back.
        return (Person, (self.id, self.name, self.username, self.initials, self.url, self.digest))


def make_person(
    member_id: int, name: str, username: str, digest: str | None = None, *, url: str = ""
) -> Person:
    """`url`: the profile URL when the caller built it (`profile_url()`), else reversed."""
    name = name or username
    initials = "".join(part[0] for part in name.split()[:2]).upper() or "?"
    url = url or reverse("community:profile", args=[username])
    return Person(member_id, name, username, initials, url, digest)


def profile_url():
    """A function giving a member's profile URL from their username: `reverse()` once, not
    for each of a thousand attendees; quoted as `reverse()` quotes an argument."""
    marker = "username-placeholder"
    before, after = reverse("community:profile", args=[marker]).split(marker)
    return lambda username: f"{before}{quote(username, safe=RFC3986_SUBDELIMS + '/~:@')}{after}"


@dataclass
class Attendees:
    """The RSVPs of an event (going, then waiting) and which of them the viewer may name:
    those listed (`RSVP.objects.listed()`), and the viewer themselves (`seen_by()`)."""

    going_ids: list[int]
    waitlisted_ids: list[int]
    visibility: dict[int, str]  # each member's `ties_visibility`
    shown: set[int]
    people: dict[int, Person]  # the members shown
    # Attendees not listed, each shown to themselves only: never read but for the viewer.
    unlisted: dict[int, Person]

    def seen_by(self, viewer_id: int | None) -> Attendees:
        """The attendees as `viewer_id` sees them: the viewer shown even when not listed."""
        if viewer_id not in self.unlisted:
            return self
        return replace(
            self,
            shown=self.shown | {viewer_id},
            people={**self.people, viewer_id: self.unlisted[viewer_id]},
            unlisted={},
        )


def _going(event: Event):
    return RSVP.objects.going().filter(event=event).values("member_id")


def _attendees(event: Event) -> Attendees:
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
            "member__photo__digest",
        )
    )
    url = profile_url()
    people = {r[0]: make_person(r[0], r[2], r[3], r[6], url=url(r[3])) for r in rows}
    return Attendees(
        going_ids=[r[0] for r in rows if r[1] == RSVP.Status.GOING],
        waitlisted_ids=[r[0] for r in rows if r[1] != RSVP.Status.GOING],
        visibility={r[0]: r[5] for r in rows},
        shown={r[0] for r in rows if r[4]},
        people={r[0]: people[r[0]] for r in rows if r[4]},
        unlisted={r[0]: people[r[0]] for r in rows if not r[4]},
    )


@dataclass
class Ties:
    """The ties among the attendees shown that the viewer may see.

    Plain sets rather than a networkx graph: a thousand attendees cost a few milliseconds;
    networkx is kept for the picture (`graph()`), drawn from a few dozen nodes by default.
    """

    visible: set[tuple[int, int]]  # directed: (follower, followed)
    adj: dict[int, set[int]]  # every attendee shown going, with whom they are tied

    @classmethod
    def build(cls, visible: set, nodes) -> Ties:
        adj: dict[int, set[int]] = {i: set() for i in nodes}
        for a, b in visible:
            adj[a].add(b)
            adj[b].add(a)
        return cls(visible, adj)

    def edges(self):
        """Each undirected tie once, smaller id first."""
        return ((a, b) for a, others in self.adj.items() for b in others if a < b)

    def components(self) -> list[set[int]]:
        seen: set[int] = set()
        parts = []
        for start in self.adj:
            if start in seen:
                continue
            part, stack = {start}, [start]
            while stack:
                for other in self.adj[stack.pop()]:
                    if other not in part:
                        part.add(other)
                        stack.append(other)
            seen |= part
            parts.append(part)
        return parts

    def graph(self, keep=None) -> nx.Graph:
        """The ties as a networkx graph, of the members in `keep` or of everyone."""
        import networkx as nx  # noqa: PLC0415 - see above

        graph = nx.Graph()
        if keep is None:
            graph.add_nodes_from(self.adj)
            graph.add_edges_from(self.edges())
            return graph
        # The same order as `edges()`, walking only the nodes kept: the same picture.
        nodes = [i for i in self.adj if i in keep]
        graph.add_nodes_from(nodes)
        graph.add_edges_from((a, b) for a in nodes for b in self.adj[a] if a < b and b in keep)
        return graph


def _summary(attendees: Attendees, ties: Ties) -> dict:
    """Counts of everyone going and waiting; figures over what the viewer may see."""
    shown = len(ties.adj)
    summary = {
        "going": len(attendees.going_ids),
        "waitlisted": len(attendees.waitlisted_ids),
        "shown": shown,
        "few": shown < FIGURES_MIN_ATTENDEES,
        # Without a tie the viewer may see, "0 % know someone" would mislead: nothing to say.
        "figures": shown >= FIGURES_MIN_ATTENDEES and bool(ties.visible),
    }
    if summary["figures"]:
        parts = [c for c in ties.components() if len(c) > 1]
        knowing = sum(1 for others in ties.adj.values() if others)
        summary.update(
            knowing_one=knowing,
            share_knowing=round(100 * knowing / shown),
            clusters=len(parts),
            largest=max((len(c) for c in parts), default=0),
        )
    return summary


@dataclass
class Shared:
    """What the people view of an event is the same for every viewer, kept in the cache at
    the data version (`events/cache.py`): every write that changes it (an RSVP, a tie made
    or removed, a member's name, photo, listing or `ties_visibility`) replaces the version.

    Built for a visitor who owns none of the ties and is listed: `attendees` names only
    those listed, the tie sets hold only ties their owner shows to others. Each viewer then
    adds what is theirs alone (`_seen_by()`): themselves if unlisted, their own ties.
    """

    attendees: Attendees
    # The ties among those going: those between attendees listed whose owner shows them to
    # any member, and the others (to an attendee not listed, or hidden by their owner).
    for_members: set[tuple[int, int]]
    others: set[tuple[int, int]]
    anonymous_summary: dict
    member_summary: dict  # for a member who sees no more than `for_members`


def _shared(event: Event, request) -> Shared:
    def build() -> dict:
        attendees = _attendees(event)
        # One query whatever the number of attendees: both ends among the members going.
        ties = set(
            Tie.objects.filter(
                from_member_id__in=_going(event), to_member_id__in=_going(event)
            ).values_list("from_member_id", "to_member_id")
        )
        anonymous = Ties.build(_shown_ties(ties, attendees, member=False), _nodes(attendees))
        for_members = _shown_ties(ties, attendees, member=True)
        return {
            "valid_until": None,
            "shared": Shared(
                attendees=attendees,
                for_members=for_members,
                others=ties - for_members,
                anonymous_summary=_summary(attendees, anonymous),
                member_summary=_summary(attendees, Ties.build(for_members, _nodes(attendees))),
            ),
        }

    return cache.fragment(request, "people", event.pk, build=build)["shared"]


def _nodes(attendees: Attendees) -> list[int]:
    """The graph's nodes: the attendees going whom the viewer may name."""
    return [i for i in attendees.going_ids if i in attendees.shown]


def _shown_ties(ties: set[tuple[int, int]], attendees: Attendees, *, member: bool) -> set:
    """The ties between attendees shown that their owner shows to others: to any member
    (`member`) or to anonymous visitors."""
    shown, visibility = attendees.shown, attendees.visibility
    seen_owner = {
        owner: ties_shown_to_others(visibility[owner], member=member)
        for owner in {a for a, _b in ties}
    }
    return {(a, b) for a, b in ties if a in shown and b in shown and seen_owner[a]}


def _seen_by(shared: Shared, viewer) -> tuple[Attendees, set[tuple[int, int]], bool]:
    """The attendees and the ties `viewer` may see, and whether they differ from what any
    other member sees (the viewer attends unlisted, or owns ties hidden from others).

    Any member sees `for_members`; what else the viewer sees involves them: a tie to or from
    them while they are shown to themselves only, or a tie of theirs hidden from others."""
    me = viewer.pk
    attendees = shared.attendees.seen_by(me)
    shown, visibility = attendees.shown, attendees.visibility
    own = {
        (a, b)
        for a, b in shared.others
        if me in (a, b)
        and a in shown
        and b in shown
        and can_see_ties(owner_id=a, visibility=visibility[a], viewer=viewer)
    }
    if not own and attendees is shared.attendees:
        return attendees, shared.for_members, False
    return attendees, shared.for_members | own, True


def event_people(*, event: Event, viewer, view: str = "around", request=None) -> dict:
    """Context for the people view of `event` as `viewer` sees it; `view` picks the picture
    ("around": the viewer and those near them, "everyone"). `request` reads the data
    version once per request (`events/cache.py`)."""
    shared = _shared(event, request)
    if viewer is None or not viewer.is_authenticated:
        return {"summary": shared.anonymous_summary, "show_names": False}
    attendees, visible, personal = _seen_by(shared, viewer)
    graph = Ties.build(visible, _nodes(attendees))
    summary = _summary(attendees, graph) if personal else shared.member_summary
    ctx = {"summary": summary, "show_names": True}
    everyone = functools.partial(_everyone, request, event, graph, viewer.pk if personal else None)
    ctx.update(_member_context(event, viewer, attendees, graph, view, everyone))
    return ctx


def _everyone(request, event: Event, graph: Ties, personal: int | None):
    """The picture of everyone, without the viewer's rings (`graph_svg()` adds them): the
    same for every member, so drawn once per data version; for a viewer who sees more than
    others (`_seen_by()`), once for them alone."""

    def build() -> dict:
        return {"valid_until": None, "drawing": draw(graph.graph(), graph.visible)}

    return cache.fragment(request, "people-everyone", event.pk, personal, build=build)["drawing"]


def _member_context(
    event: Event, viewer, attendees: Attendees, graph: Ties, view: str, everyone
) -> dict:
    """The names, lists and picture of the people view, for a logged-in viewer."""
    me = viewer.pk  # read once: `request.user` is a lazy object, each read costs
    people = attendees.people
    going = [people[i] for i in _nodes(attendees)]
    mine = _viewer_ties(viewer, people)
    contacts = mine["contacts"]
    met_pairs, met_here = _meetings(event, me)
    going_ids = set(graph.adj)
    links = _links(viewer, event, contacts, going_ids - set(contacts) - {me})
    _rank(going, me, contacts, links, graph)
    going.sort(key=lambda p: p.relevance)
    for rank, person in enumerate(going):
        person.rank = rank
        person.met_state = met_here.get(person.id, "")
    _fill_knows(graph, people, going)
    known_going = [p for p in going if p.id in contacts]
    newcomers = [p for p in going if not p.knows and p.id != me]
    icebreakers_count, icebreakers = _icebreakers(graph, people, met_pairs, contacts)
    mine_pairs = _my_icebreakers(icebreakers)
    view = view if view in GRAPH_VIEWS else "around"
    if not known_going:
        view = "everyone"  # nobody near the viewer: the picture of everyone says more
    picture = _picture(graph, people, viewer, mine, view, everyone)
    ctx = {
        "going": going,
        "hidden_going": len(attendees.going_ids) - len(going),
        "waitlisted": sorted(
            (people[i] for i in attendees.waitlisted_ids if i in attendees.shown),
            key=lambda p: (0 if p.id in contacts else 1, p.name.lower()),
        ),
        "known_going": known_going,
        "say_hello": _say_hello(going, me, mine, links, met_pairs),
        "newcomers": newcomers[:NEWCOMERS_SHOWN],
        "newcomers_more": newcomers[NEWCOMERS_SHOWN:],
        "my_icebreakers": mine_pairs,
        "icebreakers": icebreakers,
        "icebreakers_more": icebreakers_count - len(icebreakers),
        "icebreakers_count": icebreakers_count,
        "met": [p for p in going if p.id != me and _pair(p.id, me) in met_pairs],
        "can_record_meetings": event.is_past and me in attendees.going_ids,
        "met_here": met_here,
        "graph_view": view,
        "can_choose_view": bool(known_going),
    }
    ctx.update(picture)
    return ctx


def _pair(a: int, b: int) -> tuple[int, int]:
    """A meeting's pair of members, as stored (`member_a` < `member_b`)."""
    return (a, b) if a < b else (b, a)


def _contact_ties(viewer):
    """The viewer's ties either way that the viewer may see (each tie's owner's
    `ties_visibility` decides), as (other member's id, display name, username, "out" when the
    viewer holds it else "in", network, created). One query."""
    # Deactivated members are named nowhere, not even as a contact who links two people.
    rows = Tie.objects.filter(
        Q(from_member=viewer, to_member__is_active=True)
        | Q(to_member=viewer, from_member__is_active=True)
    ).values_list(
        "from_member_id",
        "from_member__display_name",
        "from_member__username",
        "from_member__ties_visibility",
        "to_member_id",
        "to_member__display_name",
        "to_member__username",
        "network",
        "created_at",
    )
    for a, a_name, a_user, a_vis, b, b_name, b_user, network, created in rows:
        if can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer):
            if a == viewer.pk:
                yield b, b_name, b_user, "out", network, created
            else:
                yield a, a_name, a_user, "in", network, created


def _viewer_ties(viewer, people: dict[int, Person]) -> dict:
    """The viewer's contacts (ties either way the viewer may see), with each pair's oldest
    tie: its network, year and direction seen from the viewer."""
    contacts: dict[int, Person] = {}
    oldest: dict[int, tuple] = {}
    directions: dict[int, set[str]] = {}
    for other, name, username, direction, network, created in _contact_ties(viewer):
        if other not in contacts:
            contacts[other] = people.get(other) or make_person(other, name, username)
        directions.setdefault(other, set()).add(direction)
        if other not in oldest or created < oldest[other][1]:
            oldest[other] = (network, created)
    return {"contacts": contacts, "oldest": oldest, "directions": directions}


def _links(viewer, event: Event, contacts: dict, candidates: set[int]) -> dict[int, set[int]]:
    """For each candidate going, the viewer's contacts tied to them (ties the viewer may see)."""
    if not contacts or not candidates:
        return {}
    second = Tie.objects.filter(
        Q(from_member_id__in=list(contacts), to_member_id__in=_going(event))
        | Q(from_member_id__in=_going(event), to_member_id__in=list(contacts))
    ).values_list("from_member_id", "to_member_id", "from_member__ties_visibility")
    links: dict[int, set[int]] = {}
    seen_owner: dict[int, bool] = {}
    for a, b, a_vis in second:
        linker, target = (a, b) if a in contacts else (b, a)
        if target not in candidates:
            continue
        if a not in seen_owner:
            seen_owner[a] = can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer)
        if seen_owner[a]:
            links.setdefault(target, set()).add(linker)
    return links


def _rank(going: list[Person], viewer_id: int, contacts: dict, links: dict, graph: Ties) -> None:
    """Each attendee's `relevance` for the viewer (smaller first)."""
    for person in going:
        name = person.name.lower()
        if person.id == viewer_id:
            person.relevance = (0, 0, name)
        elif person.id in contacts:
            person.relevance = (1, -len(graph.adj[person.id]), name)
        elif person.id in links:
            person.relevance = (2, -len(links[person.id]), name)
        else:
            person.relevance = (3, -len(graph.adj[person.id]), name)


def _fill_knows(graph: Ties, people: dict[int, Person], going: list) -> None:
    """Each going attendee's `knows`: the `KNOWS_NAMED` most relevant people they are tied
    to, with the direction; their count, and the text for the page."""
    visible = graph.visible

    mutual = _("mutual")
    # The direction in words, both names spelled out, so that nobody wonders who follows whom.
    follows = _("%(follower)s follows %(followed)s")

    @functools.cache
    def knows_label(count: int) -> str:
        return ngettext(
            "knows %(count)s other attendee", "knows %(count)s other attendees", count
        ) % {"count": count}

    @functools.cache
    def and_more(count: int) -> str:
        return ngettext("and %(count)s more", "and %(count)s more", count) % {"count": count}

    colon = _(":")
    rank = {person.id: person.rank for person in going}
    for person in going:
        others = graph.adj[person.id]
        first = sorted(others, key=rank.__getitem__)[:KNOWS_NAMED]
        person.knows = [(people[i], _direction(visible, person.id, i)) for i in first]
        person.knows_count = count = len(others)
        person.knows_label = label = knows_label(count)
        if not count:
            person.knows_line = label
            continue
        named = [
            f"{other.name} ({mutual})"
            if direction == "mutual"
            else f"{other.name} ({follows % _follow_names(person, other, direction)})"
            for other, direction in person.knows
        ]
        if count > KNOWS_NAMED:
            named.append(and_more(count - KNOWS_NAMED))
        # Plain text for the list (escaped by the template): one string for each of a
        # thousand lines rather than a loop and three variables.
        person.knows_text = ", ".join(named)
        person.knows_line = f"{label}{colon} {person.knows_text}"


def _direction(visible: set, a: int, b: int) -> str:
    """The tie between a and b seen from a: "mutual", "out" (a follows b) or "in"."""
    out, back = (a, b) in visible, (b, a) in visible
    return "mutual" if out and back else ("out" if out else "in")


def _follow_names(person: Person, other: Person, direction: str) -> dict[str, str]:
    if direction == "out":
        return {"follower": person.name, "followed": other.name}
    return {"follower": other.name, "followed": person.name}


def _meetings(event: Event, viewer_id: int) -> tuple[set, dict[int, str]]:
    """Pairs among those going (and the viewer) who met at any event, confirmed by both; and
    the state of the viewer's meetings here, by the other member: "confirmed", "mine" (the
    viewer said so, the other has not yet) or "theirs" (for the viewer to confirm)."""
    meetings = Meeting.objects.filter(
        Q(member_a_id__in=_going(event)) | Q(member_a_id=viewer_id),
        Q(member_b_id__in=_going(event)) | Q(member_b_id=viewer_id),
    ).values_list("member_a_id", "member_b_id", "event_id", "recorded_by_id", "confirmed_at")
    met_pairs, met_here = set(), {}
    for a, b, event_id, recorded_by, confirmed_at in meetings:
        if confirmed_at is not None:
            met_pairs.add((a, b))
        if event_id == event.pk and viewer_id in (a, b):
            other = b if a == viewer_id else a
            if confirmed_at is not None:
                met_here[other] = "confirmed"
            else:
                met_here[other] = "mine" if recorded_by == viewer_id else "theirs"
    return met_pairs, met_here


def _icebreakers(
    graph: Ties, people: dict, met_pairs: set, contacts: dict
) -> tuple[int, list[tuple]]:
    """How many pairs are tied online and never met at any event, and the first
    `ICEBREAKERS_LISTED` as (a, b, mutual, both the viewer's contacts): pairs of the
    viewer's contacts first (the viewer can introduce them), then pairs with one contact,
    then by relevance."""
    pairs = []
    for a, b in graph.edges():  # smaller id first, as a meeting's pair
        if (a, b) in met_pairs:
            continue
        ra, rb = people[a].rank, people[b].rank
        if rb < ra:
            a, b, ra, rb = b, a, rb, ra
        pairs.append((-((a in contacts) + (b in contacts)), ra, rb, a, b))
    # Plain numbers compared (ranks are unique): ten thousand pairs in a few milliseconds.
    first = heapq.nsmallest(ICEBREAKERS_LISTED, pairs)
    visible = graph.visible
    return len(pairs), [
        (people[a], people[b], (a, b) in visible and (b, a) in visible, near == -2)
        for near, _ra, _rb, a, b in first
    ]


def _my_icebreakers(icebreakers: list[tuple]) -> list[tuple]:
    """The first pairs of the viewer's contacts, each person in one pair only."""
    mine, used = [], set()
    for pair in icebreakers:
        a, b, _mutual, both_contacts = pair
        if not both_contacts or len(mine) == MY_ICEBREAKERS:
            break
        if a.id not in used and b.id not in used:
            mine.append(pair)
            used.update((a.id, b.id))
    return mine


def _say_hello(going: list[Person], viewer_id: int, mine: dict, links: dict, met: set) -> list:
    """At most `SAY_HELLO_MAX` people worth meeting, with the reason, taken in turn from two
    rankings: online contacts never met (mutual ties first, then the oldest), and people who
    know several of the viewer's contacts (most shared contacts first)."""
    contacts = mine["contacts"]
    never_met, known_to_contacts = [], []
    for person in going:
        if person.id == viewer_id or _pair(person.id, viewer_id) in met:
            continue
        if person.id in contacts:
            one_way = len(mine["directions"][person.id]) == 1
            since = mine["oldest"][person.id][1].timestamp()
            never_met.append((one_way, since, person.rank, person))
        elif person.id in links:
            known_to_contacts.append((-len(links[person.id]), person.rank, person))
    firsts = [
        [item[-1] for item in heapq.nsmallest(SAY_HELLO_MAX, ranking, key=lambda i: i[:-1])]
        for ranking in (never_met, known_to_contacts)
    ]
    chosen = [p for pair in itertools.zip_longest(*firsts) for p in pair if p is not None]
    return [(p, _hello_reason(p, mine, links)) for p in chosen[:SAY_HELLO_MAX]]


def _hello_reason(person: Person, mine: dict, links: dict) -> str:
    contacts = mine["contacts"]
    if person.id in contacts:
        network, since = mine["oldest"][person.id]
        directions = mine["directions"][person.id]
        return _contact_reason(directions, Network(network).label, since.year)
    shared = sorted((contacts[i] for i in links[person.id]), key=lambda c: c.name.lower())
    return ngettext(
        "knows %(count)s of your contacts: %(names)s",
        "knows %(count)s of your contacts: %(names)s",
        len(shared),
    ) % {"count": len(shared), "names": ", ".join(c.name for c in shared[:2])}


def _contact_reason(directions: set[str], network: str, year: int) -> str:
    values = {"network": network, "year": year}
    if len(directions) == 2:
        return _("you follow each other on %(network)s since %(year)s, never met") % values
    if "out" in directions:
        return _("you follow them on %(network)s since %(year)s, never met") % values
    return _("follows you on %(network)s since %(year)s, never met") % values


def _picture(graph: Ties, people: dict, viewer, mine: dict, view: str, everyone) -> dict:
    """The graph drawn for `view`: "around" holds the viewer, their contacts going and, as
    room allows, those contacts' contacts among the attendees (most ties to contacts first).
    `everyone()`: the drawing of everyone, kept in the cache."""
    contacts = mine["contacts"]
    if view == "everyone":
        svg = graph_svg(
            graph.graph(),
            graph.visible,
            people,
            me=viewer.pk,
            contacts=set(contacts),
            drawing=everyone(),
        )
        return {"svg": svg}
    near = [i for i in contacts if i in graph.adj]
    keep = {viewer.pk, *near}
    ring: dict[int, int] = {}
    for contact in near:
        for other in graph.adj[contact]:
            if other not in keep:
                ring[other] = ring.get(other, 0) + 1
    ranked = sorted(ring, key=lambda i: (-ring[i], people[i].relevance))
    room = max(AROUND_ME_MAX - len(keep), 0)
    keep.update(ranked[:room])
    sub = graph.graph(keep)
    visible = graph.visible
    edges = {(a, b) for a in keep for b in graph.adj.get(a, ()) if b in keep and (a, b) in visible}
    if viewer.pk not in graph.adj:
        # The viewer is not going: drawn in the middle of their contacts all the same.
        me = people.get(viewer.pk) or make_person(viewer.pk, viewer.display_name, viewer.username)
        people = {**people, viewer.pk: me}
        sub.add_node(viewer.pk)
        for contact in near:
            sub.add_edge(viewer.pk, contact)
    for contact in near:
        # The viewer's ties, whoever holds them (those the viewer may see: `_viewer_ties`).
        sub.add_edge(viewer.pk, contact)
        directions = mine["directions"][contact]
        if "out" in directions:
            edges.add((viewer.pk, contact))
        if "in" in directions:
            edges.add((contact, viewer.pk))
    return {
        "svg": graph_svg(sub, edges, people, me=viewer.pk, contacts=set(near), compact=True),
        "around_left_out": max(len(ranked) - room, 0),
    }


@dataclass
class Known:
    """Whom a member knows among those going: the event page's face stack, the promotion
    email. The same rules as the people view: named only when listed, contacts only through
    ties the member may see."""

    people: list[Person]  # the member's contacts going, in name order
    friends_of_friends: int  # others going tied to one of those contacts
    others: int  # everyone else going, named or not (the member excluded)


def known_going(*, event: Event, viewer) -> Known:
    """Three queries at most, whatever the number of attendees."""
    attendees = _attendees(event).seen_by(viewer.pk)
    people = attendees.people
    contacts = _viewer_ties(viewer, people)["contacts"]
    going_shown = [i for i in attendees.going_ids if i in attendees.shown]
    known = sorted((people[i] for i in going_shown if i in contacts), key=lambda p: p.name.lower())
    candidates = {i for i in going_shown if i not in contacts and i != viewer.pk}
    fof = len(_links(viewer, event, contacts, candidates))
    me = 1 if viewer.pk in attendees.going_ids else 0
    others = len(attendees.going_ids) - len(known) - fof - me
    return Known(people=known, friends_of_friends=fof, others=others)


def contacts_going(*, viewer, event_ids: list[int]) -> dict[int, list]:
    """For each of `event_ids`, the viewer's contacts going who let themselves be listed
    among attendees, as members with their photo, earliest RSVP first. Two queries
    whatever the number of events (for the cards of `/` and of a series page)."""
    contact_ids = list({row[0] for row in _contact_ties(viewer)}) if event_ids else []
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
