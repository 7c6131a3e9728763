"""Who knows whom among an event's attendees, and what online ties become at a series.

The people view reads a fixed number of queries whatever the number of attendees (the
RSVPs, the ties among the members going, the meetings among them, the viewer's own ties and
their contacts' ties to the attendees; anonymous visitors only the first two), then does the
graph work with networkx in memory.

Privacy: a directed tie A → B is shown only to whom A's `ties_visibility` allows; members
who asked not to appear in attendee lists are counted but never named (except to themselves).
Summary figures are aggregates over every member going, shown to anyone.
"""

import functools
import math
from dataclasses import dataclass, field
from urllib.parse import quote

import networkx as nx
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from community.models import Tie
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
SPRING_MAX = 150  # larger clusters are drawn as ordered circles: spring layout is O(n²)
SHELL_MIN = 36  # clusters larger than this are drawn as concentric circles
ICEBREAKERS_SHOWN = 200


@dataclass
class Person:
    id: int
    name: str
    username: str
    initials: str
    url: str
    # Filled for going attendees: who they know among the others, with the tie's direction.
    knows: list[tuple["Person", str]] = field(default_factory=list)
    knows_text: str = ""
    knows_label: str = ""
    cluster: int = 0


class _People:
    """Builds `Person` rows cheaply: one `reverse()` for every profile URL."""

    def __init__(self):
        self.prefix = reverse("community:profile", args=["-"])[:-2]

    def __call__(self, member_id: int, name: str, username: str) -> Person:
        name = name or username
        parts = name.split()
        initials = "".join(part[0] for part in parts[:2]).upper() or "?"
        return Person(member_id, name, username, initials, f"{self.prefix}{quote(username)}/")


def _going(event: Event):
    return RSVP.objects.filter(event=event, status=RSVP.Status.GOING).values("member_id")


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
    make = _People()
    people = {r[0]: make(r[0], r[2], r[3]) for r in rsvps if r[0] in shown}

    # One query whatever the number of attendees: both ends among the members going.
    ties = set(
        Tie.objects.filter(
            from_member_id__in=_going(event), to_member_id__in=_going(event)
        ).values_list("from_member_id", "to_member_id")
    )

    # Summary figures: aggregates over every member going.
    full = nx.Graph()
    full.add_nodes_from(sorted(going_ids))
    full.add_edges_from(ties)
    components = [c for c in nx.connected_components(full) if len(c) > 1]
    knowing = sum(1 for _n, degree in full.degree() if degree > 0)
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

    # The ties the viewer may see: between listed attendees, allowed by their owner.
    seen_owner = {
        owner: can_see_ties(owner_id=owner, visibility=visibility[owner], viewer=viewer)
        for owner in {a for a, _b in ties}
    }
    visible = {(a, b) for a, b in ties if a in shown and b in shown and seen_owner[a]}
    if len(visible) == len(ties) and going_set <= shown:
        graph = full  # the viewer sees everything: no need to build it twice
    else:
        graph = nx.Graph()
        graph.add_nodes_from(sorted(i for i in going_ids if i in shown))
        graph.add_edges_from(visible)

    meetings = list(
        Meeting.objects.filter(
            Q(member_a_id__in=_going(event)) | Q(member_a_id=viewer_id),
            Q(member_b_id__in=_going(event)) | Q(member_b_id=viewer_id),
        ).values_list("member_a_id", "member_b_id", "event_id")
    )
    met_pairs = {(a, b) for a, b, _e in meetings}
    met_here = {(a, b) for a, b, e in meetings if e == event.pk}

    going = [people[i] for i in going_ids if i in shown]
    sort_key = {i: p.name.lower() for i, p in people.items()}
    mutual, follows = _("mutual"), _("follows them")
    markers = {"mutual": f" ({mutual})", "in": f" ({follows})", "out": ""}

    @functools.cache
    def knows_label(count: int) -> str:
        return ngettext(
            "knows %(count)s other attendee", "knows %(count)s other attendees", count
        ) % {"count": count}

    # Walking the others in name order fills every list already sorted.
    follows_of: dict[int, set[int]] = {}
    for a, b in visible:
        follows_of.setdefault(a, set()).add(b)
    nobody: set[int] = set()
    for other_id in sorted(graph.nodes, key=sort_key.__getitem__):
        other = people[other_id]
        other_follows = follows_of.get(other_id, nobody)
        for person_id in graph[other_id]:
            out = other_id in follows_of.get(person_id, nobody)
            back = person_id in other_follows
            direction = "mutual" if out and back else ("out" if out else "in")
            people[person_id].knows.append((other, direction))
    for person in going:
        # Plain text for the list (escaped by the template): one string instead of a loop.
        person.knows_text = ", ".join(o.name + markers[d] for o, d in person.knows)
        person.knows_label = knows_label(len(person.knows))

    parts = components if graph is full else nx.connected_components(graph)
    clusters = sorted(
        (sorted(c) for c in parts if len(c) > 1),
        key=lambda c: (-len(c), c[0]),
    )
    for number, members in enumerate(clusters, start=1):
        for member_id in members:
            people[member_id].cluster = number

    # Pairs tied online who never met at any event, in name order; only the first are listed.
    pairs = []
    for a, b in graph.edges():
        if (min(a, b), max(a, b)) not in met_pairs:
            ka, kb = sort_key[a], sort_key[b]
            pairs.append((ka, kb, a, b) if (ka, a) <= (kb, b) else (kb, ka, b, a))
    pairs.sort()
    icebreakers = [
        (people[a], people[b], (a, b) in visible and (b, a) in visible)
        for _ka, _kb, a, b in pairs[:ICEBREAKERS_SHOWN]
    ]

    ctx.update(
        {
            "going": going,
            "hidden_going": len(going_ids) - len(going),
            "waitlisted": [
                people[r[0]] for r in rsvps if r[1] != RSVP.Status.GOING and r[0] in shown
            ],
            "newcomers": [p for p in going if not p.knows],
            "icebreakers": icebreakers,
            "icebreakers_more": max(len(pairs) - ICEBREAKERS_SHOWN, 0),
            "icebreakers_count": len(pairs),
            "clusters": [", ".join(people[i].name for i in c) for c in clusters],
            "svg": graph_svg(graph, visible, people, clusters),
        }
    )
    ctx.update(
        _viewer_context(
            viewer=viewer, event=event, going_set=going_set, shown=shown, people=people, make=make
        )
    )
    ctx["met"] = [
        p
        for p in going
        if p.id != viewer_id and (min(p.id, viewer_id), max(p.id, viewer_id)) in met_pairs
    ]
    ctx["can_record_meetings"] = event.is_past and viewer_id in going_set
    ctx["met_here"] = {(b if a == viewer_id else a) for a, b in met_here if viewer_id in (a, b)}
    return ctx


def _viewer_context(
    *, viewer, event: Event, going_set: set[int], shown: set[int], people: dict, make: _People
) -> dict:
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
        contacts.setdefault(other[0], make(*other))
    known_going = sorted(
        (people[i] for i in contacts if i in going_set and i in shown), key=lambda p: p.name.lower()
    )
    candidates = {i for i in going_set if i in shown and i not in contacts and i != viewer.pk}
    links: dict[int, set[int]] = {}
    if contacts and candidates:
        second = Tie.objects.filter(
            Q(from_member_id__in=list(contacts), to_member_id__in=_going(event))
            | Q(from_member_id__in=_going(event), to_member_id__in=list(contacts))
        ).values_list("from_member_id", "to_member_id", "from_member__ties_visibility")
        for a, b, a_vis in second:
            linker, target = (a, b) if a in contacts else (b, a)
            if target in candidates and can_see_ties(owner_id=a, visibility=a_vis, viewer=viewer):
                links.setdefault(target, set()).add(linker)
    fof = [
        (people[target], sorted((contacts[i] for i in linkers), key=lambda p: p.name.lower()))
        for target, linkers in links.items()
    ]
    fof.sort(key=lambda item: item[0].name.lower())
    return {"known_going": known_going, "friends_of_friends": fof}


def _component_layout(
    nodes: list[int], graph: nx.Graph, *, large: bool
) -> dict[int, tuple[float, float]]:
    """Positions in the unit disc, the same for the same graph (fixed seed, sorted nodes).

    Small clusters of a small graph get a force-directed layout; otherwise circles in
    depth-first order, so that people who know each other sit side by side and ties stay
    short (and hundreds of attendees cost milliseconds, not seconds).
    """
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) <= 3:
        pos = nx.circular_layout(nodes)
    elif len(nodes) <= SPRING_MAX and not large:
        sub = nx.Graph()
        sub.add_nodes_from(nodes)
        sub.add_edges_from(graph.subgraph(nodes).edges())
        pos = _spread(nx.spring_layout(sub, seed=7, iterations=60))
    else:
        # Depth-first order from the first member: the component is connected, so the search
        # stays inside it, and people who know each other end up side by side.
        order = list(nx.dfs_preorder_nodes(graph, nodes[0], sort_neighbors=sorted))
        if len(order) <= SHELL_MIN:
            pos = nx.circular_layout(order)
        else:
            # Concentric shells of 6, 12, 18… so nodes stay apart in a big cluster.
            shells, start, k = [], 0, 1
            while start < len(order):
                shells.append(order[start : start + 6 * k])
                start, k = start + 6 * k, k + 1
            pos = nx.shell_layout(order, nlist=shells)
    scale = max((math.hypot(x, y) for x, y in pos.values()), default=1.0) or 1.0
    return {n: (float(x) / scale, float(y) / scale) for n, (x, y) in pos.items()}


def _spread(pos: dict) -> dict:
    """Even out a force-directed layout over the disc, keeping each node's direction.

    A spring layout pushes the few loosely tied people far out and packs a dense core into a
    small blob once scaled to the disc; placing nodes at radii ranked by their distance from
    the centre (equal area per node) keeps who-is-near-whom but makes every name readable.
    """
    ranked = sorted(pos.items(), key=lambda item: (math.hypot(*item[1]), item[0]))
    spread = {}
    for rank, (node, (x, y)) in enumerate(ranked):
        radius = math.sqrt((rank + 0.5) / len(ranked))
        angle = math.atan2(y, x)
        spread[node] = (radius * math.cos(angle), radius * math.sin(angle))
    return spread


def graph_svg(
    graph: nx.Graph,
    visible: set[tuple[int, int]],
    people: dict[int, Person],
    clusters: list[list[int]],
) -> str:
    """The attendees and their ties as an SVG picture, with a deterministic layout.

    Clusters are drawn as outlined discs with their own colour; attendees who know nobody
    (newcomers) as white nodes in a grid below; mutual ties as thick solid lines, one-way
    ties as thin dashed arrows. Above `LARGE_GRAPH` attendees, nodes are small, names are
    only in each node's `<title>`, and ties are drawn as one path per kind.
    """
    large = graph.number_of_nodes() > LARGE_GRAPH
    node_r = 5 if large else 13
    spacing = 16 if large else 64
    width = 960
    singles = [n for n in graph.nodes if graph.degree(n) == 0]

    positions: dict[int, tuple[float, float]] = {}
    discs = []
    x, y, row_height = 0.0, 0.0, 0.0
    for index, nodes in enumerate(clusters):
        radius = spacing * 0.6 * math.sqrt(len(nodes)) + node_r
        if len(nodes) <= 3:
            radius = spacing * 0.55 + node_r
        diameter = min(2 * radius + spacing * 0.4, width)
        radius = min(radius, (diameter - spacing * 0.4) / 2)
        if x + diameter > width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + diameter / 2, y + diameter / 2
        for node, (px, py) in _component_layout(nodes, graph, large=large).items():
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
    mutual_d, oneway_d = [], []
    for a, b in sorted(graph.edges()):
        mutual = (a, b) in visible and (b, a) in visible
        if not mutual and (a, b) not in visible:
            a, b = b, a
        (x1, y1), (x2, y2) = positions[a], positions[b]
        if large:
            (mutual_d if mutual else oneway_d).append(f"M{x1:.0f} {y1:.0f}L{x2:.0f} {y2:.0f}")
        elif mutual:
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="#1b1f24" stroke-width="2.2" stroke-opacity="0.55" '
                f'class="tie tie-mutual"/>'
            )
        else:
            # Stop the arrow at the target's edge.
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            x2e, y2e = x2 - (x2 - x1) * node_r / length, y2 - (y2 - y1) * node_r / length
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2e:.1f}" y2="{y2e:.1f}" '
                f'stroke="#4a5360" stroke-width="1.2" stroke-opacity="0.7" stroke-dasharray="5 3" '
                f'marker-end="url(#arrow)" class="tie tie-oneway"/>'
            )
    if mutual_d:
        out.append(
            f'<path d="{"".join(mutual_d)}" stroke="#1b1f24" stroke-width="1" '
            f'stroke-opacity="0.4" fill="none" class="tie tie-mutual"/>'
        )
    if oneway_d:
        out.append(
            f'<path d="{"".join(oneway_d)}" stroke="#4a5360" stroke-width="0.8" '
            f'stroke-dasharray="3 2" fill="none" class="tie tie-oneway"/>'
        )
    out.append('</g><g class="attendees">')
    for node in graph.nodes:
        person = people[node]
        px, py = positions[node]
        cluster = person.cluster
        fill = PALETTE[(cluster - 1) % len(PALETTE)] if cluster else NEWCOMER_FILL
        name = escape(person.name)
        out.append(
            f'<g class="attendee"><title>{name}</title>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{node_r}" fill="{fill}" stroke="#1b1f24" '
            f'stroke-width="{1 if large else 1.5}"/>'
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
