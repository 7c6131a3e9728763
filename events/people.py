"""Who knows whom among an event's attendees, and what online ties become at a series.

The people view reads three or four queries whatever the number of attendees (the RSVPs,
the ties among the members going, the meetings among them, and the viewer's own ties),
then does the graph work with networkx in memory.

Privacy: a directed tie A → B is shown only to whom A's `ties_visibility` allows; members
who asked not to appear in attendee lists are counted but never named (except to themselves).
Summary figures are aggregates over every member going, shown to anyone.
"""

import math
from dataclasses import dataclass, field

import networkx as nx
from django.db.models import Exists, OuterRef, Q
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from community.models import Tie, User
from community.ties import can_see_ties
from events.models import RSVP, Event, Meeting, Series

# Node and cluster colours: distinguishable, dark enough for white text at normal sizes.
PALETTE = ["#1d4f91", "#b3400b", "#1e6b34", "#6b2d8f", "#8a4b00", "#0e6e6e", "#a4161a", "#44546a"]
NEWCOMER_FILL = "#ffffff"
GRAPH_DESC = _lazy(
    "Each circle is an attendee, each line a tie online. Thick lines are mutual ties; "
    "coloured discs are clusters of people who know each other. "
    "The lists below give the same information."
)
LARGE_GRAPH = 100  # above this many nodes, smaller nodes and names only in <title>


@dataclass
class Person:
    id: int
    name: str
    username: str
    initials: str
    url: str
    # Filled for going attendees: who they know among the others, with the tie's direction.
    knows: list[tuple["Person", str]] = field(default_factory=list)
    cluster: int = 0

    @property
    def knows_count(self) -> int:
        return len(self.knows)


def _person(member_id, name, username) -> Person:
    user = User(pk=member_id, display_name=name, username=username)
    return Person(member_id, name or username, username, user.initials, user.get_absolute_url())


def event_people(*, event: Event, viewer) -> dict:
    """Context for the people view of `event` as `viewer` sees it."""
    logged_in = viewer is not None and viewer.is_authenticated
    viewer_id = viewer.pk if logged_in else None
    rsvps = list(
        RSVP.objects.filter(event=event, status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED])
        .order_by("status_changed_at", "pk")
        .values_list(
            "member_id",
            "status",
            "member__display_name",
            "member__username",
            "member__listed_in_attendees",
            "member__ties_visibility",
        )
    )
    going_ids = [r[0] for r in rsvps if r[1] == RSVP.Status.GOING]
    going_set = set(going_ids)
    visibility = {r[0]: r[5] for r in rsvps}
    shown = {r[0] for r in rsvps if r[4] or r[0] == viewer_id}
    people = {r[0]: _person(r[0], r[2], r[3]) for r in rsvps if r[0] in shown}

    ties = (
        list(
            Tie.objects.filter(from_member_id__in=going_ids, to_member_id__in=going_ids)
            .values_list("from_member_id", "to_member_id")
            .distinct()
        )
        if going_ids
        else []
    )

    # Summary figures: aggregates over every member going.
    full = nx.Graph()
    full.add_nodes_from(going_ids)
    full.add_edges_from(ties)
    components = [c for c in nx.connected_components(full) if len(c) > 1]
    knowing = sum(1 for n in full if full.degree(n) > 0)
    summary = {
        "going": len(going_ids),
        "waitlisted": len(rsvps) - len(going_ids),
        "knowing_one": knowing,
        "share_knowing": round(100 * knowing / len(going_ids)) if going_ids else 0,
        "clusters": len(components),
        "largest": max((len(c) for c in components), default=0),
    }
    ctx = {"summary": summary, "show_names": logged_in}
    if not logged_in:
        return ctx

    # The graph the viewer may see: listed attendees, ties their owner lets the viewer see.
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(i for i in going_ids if i in shown))
    for a, b in ties:
        visible = can_see_ties(owner_id=a, visibility=visibility[a], viewer=viewer)
        if visible and a in shown and b in shown:
            graph.add_edge(a, b)
    undirected = graph.to_undirected(as_view=False)

    meetings = list(
        Meeting.objects.filter(
            member_a_id__in=going_ids + [viewer_id], member_b_id__in=going_ids + [viewer_id]
        ).values_list("member_a_id", "member_b_id", "event_id")
    )
    met_pairs = {(a, b) for a, b, _e in meetings}
    met_here = {(a, b) for a, b, e in meetings if e == event.pk}

    going = [people[i] for i in going_ids if i in shown]
    for person in going:
        for other in sorted(undirected[person.id], key=lambda i: people[i].name.lower()):
            out, back = graph.has_edge(person.id, other), graph.has_edge(other, person.id)
            direction = "mutual" if out and back else ("out" if out else "in")
            person.knows.append((people[other], direction))

    clusters = sorted(
        (sorted(c) for c in nx.connected_components(undirected) if len(c) > 1),
        key=lambda c: (-len(c), c[0]),
    )
    for number, members in enumerate(clusters, start=1):
        for member_id in members:
            people[member_id].cluster = number

    icebreakers = []
    for a, b in sorted(undirected.edges(), key=lambda e: (people[e[0]].name, people[e[1]].name)):
        if (min(a, b), max(a, b)) not in met_pairs:
            icebreakers.append(
                (people[a], people[b], graph.has_edge(a, b) and graph.has_edge(b, a))
            )

    ctx.update(
        {
            "going": going,
            "hidden_going": len(going_ids) - len(going),
            "waitlisted": [
                people[r[0]] for r in rsvps if r[1] != RSVP.Status.GOING and r[0] in shown
            ],
            "newcomers": [p for p in going if not p.knows],
            "icebreakers": icebreakers,
            "clusters": [[people[i] for i in c] for c in clusters],
            "svg": graph_svg(graph, people, clusters),
        }
    )
    ctx.update(_viewer_context(viewer=viewer, going_set=going_set, shown=shown, people=people))
    ctx["met"] = [
        p
        for p in going
        if p.id != viewer_id and (min(p.id, viewer_id), max(p.id, viewer_id)) in met_pairs
    ]
    ctx["can_record_meetings"] = event.is_past and viewer_id in going_set
    ctx["met_here"] = {(b if a == viewer_id else a) for a, b in met_here if viewer_id in (a, b)}
    return ctx


def _viewer_context(*, viewer, going_set: set[int], shown: set[int], people: dict) -> dict:
    """People the viewer knows who are going, and friends-of-friends with who links them."""
    mine = Tie.objects.filter(Q(from_member=viewer) | Q(to_member=viewer)).values_list(
        "from_member_id",
        "from_member__display_name",
        "from_member__username",
        "from_member__ties_visibility",
        "to_member_id",
        "to_member__display_name",
        "to_member__username",
    )
    contacts: dict[int, Person] = {}
    for a, a_name, a_user, a_vis, b, b_name, b_user in mine:
        if not can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer):
            continue
        other = (b, b_name, b_user) if a == viewer.pk else (a, a_name, a_user)
        contacts.setdefault(other[0], _person(*other))
    known_going = sorted(
        (people[i] for i in contacts if i in going_set and i in shown), key=lambda p: p.name.lower()
    )
    candidates = [i for i in going_set if i in shown and i not in contacts and i != viewer.pk]
    links: dict[int, set[int]] = {}
    if contacts and candidates:
        second = Tie.objects.filter(
            Q(from_member_id__in=list(contacts), to_member_id__in=candidates)
            | Q(from_member_id__in=candidates, to_member_id__in=list(contacts))
        ).values_list("from_member_id", "to_member_id", "from_member__ties_visibility")
        for a, b, a_vis in second:
            if can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer):
                linker, target = (a, b) if a in contacts else (b, a)
                links.setdefault(target, set()).add(linker)
    fof = [
        (people[target], sorted((contacts[i] for i in linkers), key=lambda p: p.name.lower()))
        for target, linkers in links.items()
    ]
    fof.sort(key=lambda item: item[0].name.lower())
    return {"known_going": known_going, "friends_of_friends": fof}


def _component_layout(nodes: list[int], graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """Positions in the unit disc, the same for the same graph (fixed seed, sorted nodes)."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(graph.subgraph(nodes).edges())
    if len(nodes) <= 3 or len(nodes) > 150:
        pos = nx.circular_layout(sub)
    else:
        pos = nx.spring_layout(sub, seed=7, iterations=60)
    scale = max((math.hypot(x, y) for x, y in pos.values()), default=1.0) or 1.0
    return {n: (float(x) / scale, float(y) / scale) for n, (x, y) in pos.items()}


def graph_svg(graph: nx.DiGraph, people: dict[int, Person], clusters: list[list[int]]) -> str:
    """The attendees and their ties as an SVG picture, with a deterministic layout.

    Clusters are drawn as outlined discs with their own colour; attendees who know nobody
    (newcomers) as white nodes in a grid below; mutual ties as thick solid lines, one-way
    ties as thin dashed ones.
    """
    large = graph.number_of_nodes() > LARGE_GRAPH
    node_r = 5 if large else 13
    spacing = 16 if large else 64
    width = 960
    undirected = graph.to_undirected(as_view=True)
    singles = [n for n in graph.nodes if undirected.degree(n) == 0]

    positions: dict[int, tuple[float, float]] = {}
    discs = []
    x, y, row_height = 0.0, 0.0, 0.0
    for index, nodes in enumerate(clusters):
        radius = spacing * 0.6 * math.sqrt(len(nodes)) + node_r
        if len(nodes) <= 3:
            radius = spacing * 0.55 + node_r
        diameter = 2 * radius + spacing * 0.4
        if x + diameter > width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + diameter / 2, y + diameter / 2
        for node, (px, py) in _component_layout(nodes, undirected).items():
            positions[node] = (cx + px * (radius - node_r), cy + py * (radius - node_r))
        discs.append((cx, cy, radius, PALETTE[index % len(PALETTE)]))
        x += diameter
        row_height = max(row_height, diameter)
    y += row_height
    if singles:
        y += spacing * 0.5
        per_row = max(int(width // spacing), 1)
        for i, node in enumerate(singles):
            positions[node] = (spacing / 2 + (i % per_row) * spacing, y + (i // per_row) * spacing)
        y += math.ceil(len(singles) / per_row) * spacing
    height = max(y + spacing * 0.5, spacing)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="people-graph" viewBox="0 0 {width} '
        f'{height:.0f}" role="img" aria-labelledby="graph-title graph-desc">',
        f'<title id="graph-title">{escape(_("Who knows whom among the attendees"))}</title>',
        f'<desc id="graph-desc">{escape(GRAPH_DESC)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#4a5360"/></marker></defs>',
        '<g class="clusters">',
    ]
    for cx, cy, radius, colour in discs:
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{colour}" '
            f'fill-opacity="0.08" stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    out.append('</g><g class="ties">')
    drawn = set()
    for a, b in sorted(graph.edges()):
        mutual = graph.has_edge(b, a)
        if mutual and (b, a) in drawn:
            continue
        drawn.add((a, b))
        (x1, y1), (x2, y2) = positions[a], positions[b]
        if mutual:
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="#1b1f24" stroke-width="{2 if large else 3}" class="tie tie-mutual"/>'
            )
        else:
            # Stop the arrow at the target's edge.
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            x2e, y2e = x2 - (x2 - x1) * node_r / length, y2 - (y2 - y1) * node_r / length
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2e:.1f}" y2="{y2e:.1f}" '
                f'stroke="#4a5360" stroke-width="1.2" stroke-dasharray="5 3" '
                f'marker-end="url(#arrow)" class="tie tie-oneway"/>'
            )
    out.append('</g><g class="attendees">')
    for node in graph.nodes:
        person = people[node]
        px, py = positions[node]
        cluster = person.cluster
        fill = PALETTE[(cluster - 1) % len(PALETTE)] if cluster else NEWCOMER_FILL
        stroke = "#1b1f24"
        name = escape(person.name)
        out.append(
            f'<g class="attendee"><title>{name}</title>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{node_r}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="1.5"/>'
        )
        if not large:
            text_fill = "#ffffff" if cluster else "#1b1f24"
            out.append(
                f'<text x="{px:.1f}" y="{py + 4:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{text_fill}" aria-hidden="true">{escape(person.initials)}</text>'
                f'<text x="{px:.1f}" y="{py + node_r + 12:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#1b1f24">{escape(_short(person.name))}</text>'
            )
        out.append("</g>")
    out.append("</g></svg>")
    return "".join(out)


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


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
    going_there = RSVP.objects.filter(event=OuterRef(OuterRef("event")), status=RSVP.Status.GOING)
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
        RSVP.objects.filter(event__series=series, status=RSVP.Status.GOING)
        .filter(~knew_someone, met_someone)
        .values("member")
        .distinct()
        .count()
    )
    return {"ties_met": ties_met, "newcomers_met": newcomers_met}
