"""The people view's picture: attendees and their ties as server-rendered SVG.

The layout is deterministic (fixed seed, sorted nodes), so the same graph gives the same
picture. Clusters are drawn as outlined discs with their own colour; attendees who know nobody
(newcomers) as white nodes in a grid below; mutual ties as thick solid lines, one-way ties as
thin dashed arrows from the member who follows to the member followed. Above `LARGE_GRAPH`
attendees, nodes are small, names are only in each node's `<title>`, and ties are drawn as one
path per kind.
"""

import math
from dataclasses import dataclass

import networkx as nx
from django.utils.html import escape
from django.utils.translation import gettext as _

# Node and cluster colours: distinguishable, dark enough for white text at normal sizes.
PALETTE = ["#1d4f91", "#b3400b", "#1e6b34", "#6b2d8f", "#8a4b00", "#0e6e6e", "#a4161a", "#44546a"]
NEWCOMER_FILL = "#ffffff"
WIDTH = 960
LARGE_GRAPH = 100  # above this many nodes, smaller nodes and names only in <title>
SPRING_MAX = 150  # larger clusters are drawn as ordered circles: spring layout is O(n²)
SHELL_MIN = 36  # clusters larger than this are drawn as concentric circles


@dataclass
class Layout:
    positions: dict[int, tuple[float, float]]
    discs: list[tuple[float, float, float, str]]  # centre x, centre y, radius, colour
    height: float
    node_r: int
    large: bool


def graph_svg(graph: nx.Graph, visible: set[tuple[int, int]], people: dict, clusters: list) -> str:
    """The attendees (`people[node]`, with `name`, `initials`, `cluster`) and their ties.

    `visible` holds the directed ties (follower, followed) behind the graph's edges;
    `clusters` the sorted member ids of each cluster, largest first.
    """
    layout = _layout(graph, clusters)
    # Gettext here rather than in the f-strings below: makemessages does not read f-strings.
    title = _("Who knows whom among the attendees")
    desc = _(
        "Each circle is an attendee, each line a tie online. Thick lines are mutual ties; "
        "a dashed arrow goes from a member to someone they follow online; "
        "coloured discs are clusters of people who know each other. "
        "The lists below give the same information."
    )
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="people-graph" viewBox="0 0 {WIDTH} '
            f'{layout.height:.0f}" role="img" aria-labelledby="graph-title graph-desc">',
            f'<title id="graph-title">{escape(title)}</title>',
            f'<desc id="graph-desc">{escape(desc)}</desc>',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#4a5360"/></marker></defs>',
            '<g class="clusters">',
            *_discs(layout),
            '</g><g class="ties">',
            *_ties(graph, visible, layout),
            '</g><g class="attendees">',
            *_attendees(graph, people, layout),
            "</g></svg>",
        ]
    )


def _layout(graph: nx.Graph, clusters: list[list[int]]) -> Layout:
    """Clusters as discs packed in rows, then newcomers in a grid below them."""
    large = graph.number_of_nodes() > LARGE_GRAPH
    node_r = 5 if large else 13
    spacing = 16 if large else 64
    positions: dict[int, tuple[float, float]] = {}
    discs = []
    x, y, row_height = 0.0, 0.0, 0.0
    for index, nodes in enumerate(clusters):
        radius = spacing * 0.6 * math.sqrt(len(nodes)) + node_r
        if len(nodes) <= 3:
            radius = spacing * 0.55 + node_r
        diameter = min(2 * radius + spacing * 0.4, WIDTH)
        radius = min(radius, (diameter - spacing * 0.4) / 2)
        if x + diameter > WIDTH and x > 0:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + diameter / 2, y + diameter / 2
        for node, (px, py) in _component_layout(nodes, graph, large=large).items():
            positions[node] = (cx + px * (radius - node_r), cy + py * (radius - node_r))
        discs.append((cx, cy, radius, PALETTE[index % len(PALETTE)]))
        x += diameter
        row_height = max(row_height, diameter)
    y += row_height
    singles = [n for n in graph.nodes if graph.degree(n) == 0]
    if singles:
        y += spacing * 0.5
        per_row = max(int(WIDTH // spacing), 1)
        for i, node in enumerate(singles):
            positions[node] = (spacing / 2 + (i % per_row) * spacing, y + (i // per_row) * spacing)
        y += math.ceil(len(singles) / per_row) * spacing
    height = max(y + spacing * 0.5, spacing)
    return Layout(positions, discs, height, node_r, large)


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


def _discs(layout: Layout) -> list[str]:
    return [
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{colour}" '
        f'fill-opacity="0.08" stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        for cx, cy, radius, colour in layout.discs
    ]


def _ties(graph: nx.Graph, visible: set[tuple[int, int]], layout: Layout) -> list[str]:
    out, mutual_d, oneway_d = [], [], []
    for a, b in sorted(graph.edges()):
        mutual = (a, b) in visible and (b, a) in visible
        if not mutual and (a, b) not in visible:
            a, b = b, a  # the arrow goes from the follower to the member followed
        (x1, y1), (x2, y2) = layout.positions[a], layout.positions[b]
        if layout.large:
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
            x2e = x2 - (x2 - x1) * layout.node_r / length
            y2e = y2 - (y2 - y1) * layout.node_r / length
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
    return out


def _attendees(graph: nx.Graph, people: dict, layout: Layout) -> list[str]:
    out = []
    for node in graph.nodes:
        person = people[node]
        px, py = layout.positions[node]
        cluster = person.cluster
        fill = PALETTE[(cluster - 1) % len(PALETTE)] if cluster else NEWCOMER_FILL
        out.append(
            f'<g class="attendee"><title>{escape(person.name)}</title>'
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{layout.node_r}" fill="{fill}" '
            f'stroke="#1b1f24" stroke-width="{1 if layout.large else 1.5}"/>'
        )
        if not layout.large:
            text_fill = "#ffffff" if cluster else "#1b1f24"
            out.append(
                f'<text x="{px:.1f}" y="{py + 4:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{text_fill}" aria-hidden="true">{escape(person.initials)}</text>'
                f'<text x="{px:.1f}" y="{py + layout.node_r + 12:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#1b1f24">{escape(_short(person.name))}</text>'
            )
        out.append("</g>")
    return out


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
