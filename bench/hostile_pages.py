"""`python bench/hostile_pages.py`: the worst pages a fetched source can be, read within bounds.

An identity page or a webmention source is at most 1 MB (`community/fetch.py`); this times the
reading of the worst ones we can build at that size — deep nesting, the most elements, the
most rel links — by `community/pages.py` (which refuses a page over its bounds) and, for a
page within them, by mf2py (what a webmention's h-entry goes through). No database, no network.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

import mf2py  # noqa: E402

from community import fetch, pages  # noqa: E402

LINK = '<a href="https://rencontres.example/events/x/" rel="me">x</a>'


def sized(unit: str, *, prefix: str = "", suffix: str = "") -> str:
    room = fetch.MAX_BYTES - len(prefix) - len(suffix)
    return prefix + unit * (room // len(unit)) + suffix


CASES = {
    "1 MB of nested <div>": sized("<div>", suffix=LINK),
    "1 MB of flat <a rel=me>": sized(f"<p>{LINK}</p>"),
    "at the element bound, rel links": f"<p>{LINK}</p>" * (pages.MAX_ELEMENTS // 2),
    "at the depth bound": "<div>" * (pages.MAX_DEPTH - 1) + LINK,
}


def timed(function):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = function()
    except pages.TooComplex as error:
        outcome = f"refused ({error})"
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, seconds, peak


def main() -> None:
    for name, html in CASES.items():
        outcome, seconds, peak = timed(lambda html=html: pages.read(html, base_url="https://x/"))
        read = "refused" if isinstance(outcome, str) else f"{len(outcome.links)} links"
        size = len(html) / 1e6
        line = f"{name:34} {size:5.2f} MB  read: {read:>9} {seconds:6.2f} s {peak / 1e6:6.1f} MB"
        if not isinstance(outcome, str):
            _, seconds, peak = timed(
                lambda html=html: mf2py.parse(doc=html, url="https://x/", html_parser="html5lib")
            )
            line += f"  mf2py: {seconds:6.2f} s {peak / 1e6:6.1f} MB"
        print(line)


if __name__ == "__main__":
    main()
