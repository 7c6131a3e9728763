"""Reading a fetched HTML page, within bounds: its links, its `rel` links and its title.

Pages come from anywhere (identity checks, webmention sources), so the reading is bounded like
the fetching: one pass of the standard library's HTML parser (linear in the page's size), and
`TooComplex` for a page over `MAX_ELEMENTS` elements or `MAX_DEPTH` levels of nesting, before
a slower parser (mf2py's tree) is given it: a crafted 1 MB page of nested elements would
otherwise hold a worker for minutes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

MAX_ELEMENTS = 6000
MAX_DEPTH = 256
# Elements that hold nothing, and those a next sibling closes: they add no depth.
FLAT = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th",
}  # fmt: skip
LINK_ATTRIBUTES = {"href", "src"}


class TooComplex(ValueError):
    pass


@dataclass
class Page:
    links: list[str] = field(default_factory=list)  # every href and src, made absolute
    rels: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    title: str = ""


class _Reader(HTMLParser):
    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url, self.page = base_url, Page()
        self.elements, self.depth, self.in_title = 0, 0, False

    def handle_starttag(self, tag, attrs):
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise TooComplex(f"over {MAX_ELEMENTS} elements")
        if tag not in FLAT:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise TooComplex(f"over {MAX_DEPTH} levels")
        values = dict(attrs)
        for name in LINK_ATTRIBUTES:
            if values.get(name):
                self.page.links.append(urljoin(self.base_url, values[name].strip()))
        if tag in ("a", "link", "area") and values.get("href") and values.get("rel"):
            url = urljoin(self.base_url, values["href"].strip())
            for rel in values["rel"].lower().split():
                self.page.rels[rel].append(url)
        self.in_title = tag == "title" and not self.page.title

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in FLAT:
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag not in FLAT:
            self.depth = max(self.depth - 1, 0)
        if tag == "title":
            self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.page.title += data


def read(html: str, *, base_url: str) -> Page:
    """The page's links, rel links and title; `TooComplex` when over the bounds."""
    reader = _Reader(base_url)
    reader.feed(html)
    reader.close()
    reader.page.title = " ".join(reader.page.title.split())
    return reader.page
