"""The people view's picture: attendees and their ties as server-rendered SVG.

Clusters are found by community detection (networkx's Louvain method with a fixed seed) and
drawn apart, each on a disc of its own colour; ties between two clusters — the bridges — are
drawn in the accent colour, so the people who link groups stand out. Attendees who know
nobody (newcomers) sit in a grid below. Mutual ties are solid lines, one-way ties dashed
arrows from the member who follows to the member followed. The viewer and their contacts
wear a ring.

Each node shows the member's face (photo or generated avatar). A name is written under a
node only where it overlaps no other name or face; every node keeps its name in `<title>`,
and the hidden names show on hover and keyboard focus (CSS in site.css, no script).

The layout is deterministic (fixed seeds, sorted nodes): the same graph gives the same
picture. Above `LARGE_GRAPH` attendees nodes are small dots, one path per colour, and ties
one path per kind, to keep the page light: only the viewer and their contacts keep their
name in `<title>` there; the full list below the picture names everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.translation import gettext as _

from community import photos

# networkx is slow to import: loaded when a picture is drawn (and by community/wsgi.py
# before a web worker's first request), not by every command and process that loads the URLs.
if TYPE_CHECKING:
    import networkx as nx

# Cluster colours: distinguishable, dark enough for white text at normal sizes.
PALETTE = ["#1d4f91", "#1e6b34", "#6b2d8f", "#0e6e6e", "#8a4b00", "#a4161a", "#44546a"]
BRIDGE = "#b3400b"
INK = "#1b1f24"
LARGE_GRAPH = 100  # above this many nodes: dots, names only in <title>
SPRING_MAX = 60  # larger clusters are drawn as ordered circles: spring layout is O(n²)
SHELL_MIN = 36  # clusters larger than this are drawn as concentric circles
LOUVAIN_SEED = 7


@dataclass(frozen=True)
class Scale:
    width: int
    node_r: int
    spacing: int
    font: int  # label size in user units


# "Around me" is drawn 400 units wide: on a 375 px phone (about 330 px of figure) 14 units
# are 11 px. "Everyone" is 960 wide; its figure keeps a minimum width (site.css) so labels
# stay at 11 px or more, the phone scrolling it sideways.
COMPACT = Scale(width=400, node_r=16, spacing=66, font=14)
NORMAL = Scale(width=960, node_r=14, spacing=62, font=12)
LARGE = Scale(width=960, node_r=5, spacing=16, font=0)


@dataclass
class Layout:
    positions: dict[int, tuple[float, float]]
    discs: list[tuple[float, float, float, str]]  # centre x, centre y, radius, colour
    cluster_of: dict[int, int]
    height: float
    scale: Scale


def clusters_of(graph: nx.Graph) -> list[list[int]]:
    """Groups of two or more found by Louvain, largest first, each sorted."""
    import networkx as nx  # noqa: PLC0415 - see above

    tied = graph.subgraph([n for n in graph.nodes if graph.degree(n) > 0])
    if tied.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(tied, seed=LOUVAIN_SEED)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


@dataclass
class Drawing:
    """The part of a picture that does not depend on who looks at it: clusters, positions,
    discs and ties. The people view keeps the picture of everyone in the cache (Louvain and
    the layout of a thousand attendees are the expensive part) and adds the viewer's rings."""

    layout: Layout
    discs: list[str]
    ties: list[str]
    compact: bool
    large: bool


def draw(
    graph: nx.Graph, visible: set[tuple[int, int]], *, me: int | None = None, compact: bool = False
) -> Drawing:
    """`visible` holds the directed ties (follower, followed) behind the graph's edges; in a
    `compact` picture `me`'s cluster comes first."""
    large = graph.number_of_nodes() > LARGE_GRAPH
    scale = LARGE if large else (COMPACT if compact else NORMAL)
    clusters = clusters_of(graph)
    if me is not None and compact:
        # The viewer's own cluster first, at the top of the picture.
        clusters.sort(key=lambda c: me not in c)
    layout = _layout(graph, clusters, scale)
    return Drawing(layout, _discs(layout), _ties(graph, visible, layout), compact, large)


def graph_svg(
    graph: nx.Graph,
    visible: set[tuple[int, int]],
    people: dict,
    *,
    me: int | None = None,
    contacts: set[int] = frozenset(),
    compact: bool = False,
    drawing: Drawing | None = None,
) -> str:
    """The attendees (`people[node]`: `name`, `url`, a face) and their ties.

    `visible` holds the directed ties (follower, followed) behind the graph's edges; `me`
    and `contacts` are highlighted. `drawing`: `draw()`'s result for this graph, if kept.
    """
    drawing = drawing or draw(graph, visible, me=me, compact=compact)
    layout, large = drawing.layout, drawing.large
    labelled = set() if large else _labels(graph, layout, people, me, contacts)
    # Gettext here rather than in the f-strings below: makemessages does not read f-strings.
    title = _("Who knows whom among the attendees")
    desc = _(
        "Each circle is an attendee, each line a tie online. Solid lines are mutual ties; "
        "a dashed arrow goes from a member to someone they follow online; "
        "coloured discs are groups of people who know each other, and orange lines the "
        "bridges between two groups. The lists below give the same information."
    )
    kind = "compact" if drawing.compact else ("large" if large else "wide")
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="people-graph people-graph-{kind}" '
            f'viewBox="0 0 {layout.scale.width} {layout.height:.0f}" role="group" '
            f'aria-labelledby="graph-title graph-desc">',
            f'<title id="graph-title">{escape(title)}</title>',
            f'<desc id="graph-desc">{escape(desc)}</desc>',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#4a5360"/></marker>'
            '<clipPath id="face-clip" clipPathUnits="objectBoundingBox">'
            '<circle cx=".5" cy=".5" r=".5"/></clipPath></defs>',
            '<g class="clusters">',
            *drawing.discs,
            '</g><g class="ties">',
            *drawing.ties,
            '</g><g class="attendees">',
            *_nodes(graph, people, layout, labelled, me, contacts),
            "</g></svg>",
        ]
    )


def _layout(graph: nx.Graph, clusters: list[list[int]], scale: Scale) -> Layout:
    """Clusters as discs packed in rows, then newcomers in a grid below them."""
    node_r, spacing, width = scale.node_r, scale.spacing, scale.width
    positions: dict[int, tuple[float, float]] = {}
    cluster_of: dict[int, int] = {}
    discs = []
    x, y, row_height = 0.0, 0.0, 0.0
    for index, nodes in enumerate(clusters):
        radius = spacing * 0.62 * math.sqrt(len(nodes)) + node_r
        if len(nodes) <= 3:
            radius = spacing * 0.55 + node_r
        diameter = min(2 * radius + spacing * 0.4, width)
        radius = min(radius, (diameter - spacing * 0.4) / 2)
        if x + diameter > width and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + diameter / 2, y + diameter / 2
        inner = radius - node_r - (scale.font if scale.font else 0)
        placed = {
            node: (cx + px * inner, cy + py * inner)
            for node, (px, py) in _cluster_layout(nodes, graph, scale == LARGE).items()
        }
        if scale != LARGE:
            _separate(placed, (cx, cy, inner), 2 * node_r + 6)
        for node in nodes:
            cluster_of[node] = index
        positions.update(placed)
        discs.append((cx, cy, radius, PALETTE[index % len(PALETTE)]))
        x += diameter
        row_height = max(row_height, diameter)
    y += row_height
    singles = [n for n in graph.nodes if graph.degree(n) == 0]
    if singles:
        y += spacing * 0.5
        per_row = max(int(width // spacing), 1)
        for i, node in enumerate(singles):
            positions[node] = (spacing / 2 + (i % per_row) * spacing, y + (i // per_row) * spacing)
        y += math.ceil(len(singles) / per_row) * spacing
    height = max(y + spacing * 0.5, spacing)
    return Layout(positions, discs, cluster_of, height, scale)


def _cluster_layout(
    nodes: list[int], graph: nx.Graph, large: bool
) -> dict[int, tuple[float, float]]:
    """Positions in the unit disc, the same for the same graph (fixed seed, sorted nodes).

    Small clusters of a small graph get a force-directed layout; otherwise circles in
    depth-first order, so that people who know each other sit side by side and ties stay
    short (and hundreds of attendees cost milliseconds, not seconds).
    """
    import networkx as nx  # noqa: PLC0415 - see above

    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) <= 3:
        pos = nx.circular_layout(nodes)
    elif len(nodes) <= SPRING_MAX and not large:
        sub = nx.Graph()
        sub.add_nodes_from(nodes)
        sub.add_edges_from(graph.subgraph(nodes).edges())
        pos = _spread(nx.spring_layout(sub, seed=LOUVAIN_SEED, iterations=60))
    else:
        sub = graph.subgraph(nodes)
        order: list[int] = []
        # Depth-first order, so that people who know each other end up side by side; a
        # Louvain cluster may be disconnected once cut out of the graph: walk each part.
        for start in nodes:
            if start not in order:
                order.extend(
                    n
                    for n in nx.dfs_preorder_nodes(sub, start, sort_neighbors=sorted)
                    if n not in order
                )
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
    the centre (equal area per node) keeps who-is-near-whom but spreads the faces out.
    """
    ranked = sorted(pos.items(), key=lambda item: (math.hypot(*item[1]), item[0]))
    spread = {}
    for rank, (node, (x, y)) in enumerate(ranked):
        radius = math.sqrt((rank + 0.5) / len(ranked))
        angle = math.atan2(y, x)
        spread[node] = (radius * math.cos(angle), radius * math.sin(angle))
    return spread


def _separate(placed: dict, disc: tuple[float, float, float], gap: float) -> None:
    """Pushes apart faces closer than `gap`, keeping them in the disc (a few passes)."""
    cx, cy, inner = disc
    nodes = sorted(placed)
    for _pass in range(12):
        moved = False
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                (ax, ay), (bx, by) = placed[a], placed[b]
                dx, dy = bx - ax, by - ay
                distance = math.hypot(dx, dy)
                if distance >= gap:
                    continue
                if distance < 0.01:
                    dx, dy, distance = 1.0, 0.0, 1.0
                push = (gap - distance) / 2 / distance
                placed[a] = (ax - dx * push, ay - dy * push)
                placed[b] = (bx + dx * push, by + dy * push)
                moved = True
        for node, (x, y) in placed.items():
            off = math.hypot(x - cx, y - cy)
            if off > inner:
                placed[node] = (cx + (x - cx) * inner / off, cy + (y - cy) * inner / off)
        if not moved:
            break


def _label_box(x: float, y: float, text: str, scale: Scale) -> tuple[float, float, float, float]:
    # System sans-serif averages about 0.56 em per character.
    half = 0.56 * scale.font * len(text) / 2 + 2
    top = y + scale.node_r + 2
    return (x - half, top, x + half, top + scale.font + 2)


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _labels(graph: nx.Graph, layout: Layout, people: dict, me, contacts: set) -> set[int]:
    """The nodes whose name is written: the viewer first, then contacts, then the most tied,
    each only where it overlaps no name already placed, no face and no picture edge."""
    scale = layout.scale
    r = scale.node_r
    faces = [(x - r, y - r, x + r, y + r, n) for n, (x, y) in layout.positions.items()]
    order = sorted(graph.nodes, key=lambda n: (n != me, n not in contacts, -graph.degree(n), n))
    placed: list[tuple] = []
    labelled = set()
    for node in order:
        x, y = layout.positions[node]
        box = _label_box(x, y, _short(people[node].name), scale)
        if box[0] < 0 or box[2] > scale.width or box[3] > layout.height:
            continue
        if any(_overlaps(box, p) for p in placed):
            continue
        if any(_overlaps(box, f[:4]) for f in faces if f[4] != node):
            continue
        placed.append(box)
        labelled.add(node)
    return labelled


def _discs(layout: Layout) -> list[str]:
    return [
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{colour}" '
        f'fill-opacity="0.08" stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        for cx, cy, radius, colour in layout.discs
    ]


def _ties(graph: nx.Graph, visible: set[tuple[int, int]], layout: Layout) -> list[str]:
    out = []
    paths: dict[str, list[str]] = {}
    r = layout.scale.node_r
    for a, b in sorted(graph.edges()):
        mutual = (a, b) in visible and (b, a) in visible
        if not mutual and (a, b) not in visible:
            a, b = b, a  # the arrow goes from the follower to the member followed
        bridge = layout.cluster_of.get(a) != layout.cluster_of.get(b)
        kind = ("tie-mutual" if mutual else "tie-oneway") + (" tie-bridge" if bridge else "")
        colour = BRIDGE if bridge else (INK if mutual else "#4a5360")
        (x1, y1), (x2, y2) = layout.positions[a], layout.positions[b]
        if layout.scale == LARGE:
            paths.setdefault(kind, []).append(f"M{x1:.0f} {y1:.0f}L{x2:.0f} {y2:.0f}")
            continue
        width = 2.4 if bridge else (2 if mutual else 1.2)
        dash = "" if mutual else ' stroke-dasharray="5 3" marker-end="url(#arrow)"'
        if not mutual:
            # Stop the arrow at the target's edge.
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            x2, y2 = x2 - (x2 - x1) * (r + 2) / length, y2 - (y2 - y1) * (r + 2) / length
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width}" stroke-opacity="0.6"{dash} class="tie {kind}"/>'
        )
    for kind, segments in sorted(paths.items()):
        colour = BRIDGE if "bridge" in kind else (INK if "mutual" in kind else "#4a5360")
        dash = "" if "mutual" in kind else ' stroke-dasharray="3 2"'
        out.append(
            f'<path d="{"".join(segments)}" stroke="{colour}" stroke-width="0.8" '
            f'stroke-opacity="0.45" fill="none"{dash} class="tie {kind}"/>'
        )
    return out


def _dots(graph, people: dict, layout: Layout, me, contacts: set) -> list[str]:
    """A large picture's nodes: one path of dots per avatar colour (a zero-length line with
    round caps is a dot), a thousand attendees in a dozen elements rather than two thousand;
    the viewer and their contacts drawn over them, ringed, with their name in `<title>`.
    The full list below the picture names everyone."""
    r = layout.scale.node_r
    dots: dict[str, list[str]] = {}
    ringed = []
    for node in sorted(graph.nodes):
        x, y = layout.positions[node]
        if node == me or node in contacts:
            ringed.append(node)
        else:
            dots.setdefault(photos.avatar_colour(people[node]), []).append(f"M{x:.1f} {y:.1f}h0")
    out = [
        f'<path d="{"".join(segments)}" stroke="{colour}" stroke-width="{2 * r}" '
        f'stroke-linecap="round" fill="none" class="attendee-dots"/>'
        for colour, segments in sorted(dots.items())
    ]
    for node in sorted(ringed, key=lambda n: n == me):
        person = people[node]
        x, y = layout.positions[node]
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{photos.avatar_colour(person)}" '
            f'stroke="#1b1f24" stroke-width="2" class="attendee">'
            f"<title>{escape(person.name)}</title></circle>"
        )
    return out


def _nodes(graph, people: dict, layout: Layout, labelled: set, me, contacts: set) -> list[str]:
    scale = layout.scale
    if scale == LARGE:
        return _dots(graph, people, layout, me, contacts)
    out = []
    r = scale.node_r
    for node in sorted(graph.nodes, key=lambda n: (n == me, n in contacts, n)):
        person = people[node]
        x, y = layout.positions[node]
        name = escape(person.name)
        role = " node-me" if node == me else (" node-contact" if node in contacts else "")
        out.append(f'<a href="{escape(person.url)}" class="attendee{role}"><title>{name}</title>')
        if role:
            ring = INK if node == me else PALETTE[0]
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 3}" fill="#ffffff" stroke="{ring}" '
                f'stroke-width="3"/>'
            )
        face = photos.face(person, 4 * r)  # a photo sharp on screens of 2× density
        if face.src:
            out.append(
                f'<image href="{escape(face.src)}" x="{x - r:.1f}" y="{y - r:.1f}" '
                f'width="{2 * r}" height="{2 * r}" clip-path="url(#face-clip)"/>'
            )
        else:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{face.colour}"/>'
                f'<text x="{x:.1f}" y="{y + r * 0.36:.1f}" text-anchor="middle" '
                f'font-size="{r}" font-weight="700" fill="#ffffff" aria-hidden="true">'
                f"{escape(face.initials)}</text>"
            )
        label_class = "label" if node in labelled else "label label-hover"
        weight = ' font-weight="700"' if node == me else ""
        out.append(
            f'<text x="{x:.1f}" y="{y + r + 2 + scale.font:.1f}" text-anchor="middle" '
            f'font-size="{scale.font}"{weight} fill="{INK}" class="{label_class}" '
            f'aria-hidden="true">{escape(_short(person.name))}</text></a>'
        )
    return out


def _short(name: str, limit: int = 16) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
