"""Benchmark of the contact imports on the worst files that fit under the upload limit.

For each import format, builds the costliest file it can within `UPLOAD_MAX_BYTES` (the most
rows, the longest keys, the most keys per row, the security finding's OPML of URLs with 100
path segments, floods of blank lines, columns, JSON values and XML elements) and runs
`preview_import()` on it — parse, match against the database, what the upload view does — in a
fresh subprocess, which reports its wall time, its CPU time and its peak resident memory
(`resource.getrusage`). Inside that subprocess, in a transaction rolled back at the end, 2,000
members own identities that the file names, so that the lookups find rows.

Goal: every file finishes (read, or refused with a message) in < 2 s and < 200 MB. The CPU
time is the figure compared with the goal: on a shared machine the wall time mostly measures
the other processes. The yardstick line says how slow the machine is at the moment.

    .venv/bin/python bench/imports.py            # every case (the embedded PostgreSQL unless
                                                  # DATABASE_URL is set; migrated first)
    .venv/bin/python bench/imports.py opml-100-segments
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

LIMIT = 5 * 1024 * 1024
MATCHED = 2_000


def fill(head: bytes, rows, tail: bytes = b"") -> bytes:
    """`head`, then as many rows as fit under the limit, then `tail`."""
    parts, size = [head], len(head) + len(tail)
    for row in rows:
        if size + len(row) > LIMIT:
            break
        parts.append(row)
        size += len(row)
    parts.append(tail)
    return b"".join(parts)


def linkedin_rows(count: int = 50_000):
    notes = b'Notes:\r\n"When exporting your connection data..."\r\n\r\n'
    header = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    rows = (
        b'"Pr\xc3\xa9nom, %d","Nom ""%d""",https://www.linkedin.com/in/%s-%d,,'
        b"Une entreprise,Un poste,03 Nov 2025\r\n" % (i, i, b"x" * 80, i)
        for i in range(count)
    )
    return fill(notes + header, rows)


def mastodon_rows(count: int = 50_000):
    header = b"Account address,Show boosts,Notify on new posts,Languages\n"
    rows = (b"%s%d@%s.example,true,false,\n" % (b"u" * 40, i, b"h" * 40) for i in range(count))
    return fill(header, rows)


def x_following(count: int = 50_000):
    entries = (
        b'  {"following": {"accountId": "%020d", "userLink": '
        b'"https://twitter.com/intent/user?user_id=%020d"}},\n' % (i, i)
        for i in range(count)
    )
    body = fill(
        b"window.YTD.following.part0 = [\n", entries, b'  {"following": {"accountId": "1"}}]'
    )
    return body


def opml(outlines, urls_per_outline: int, segments: int, *, distinct_hosts: bool):
    attributes = ("htmlUrl", "xmlUrl", "url")

    def rows():
        for i in range(outlines):
            urls = []
            for n in range(urls_per_outline):
                host = f"b{i}-{n}.example" if distinct_hosts else f"b{i}.example"
                path = "/".join("abc"[n] * segments)
                urls.append(f'{attributes[n]}="https://{host}/{path}"')
            yield f"<outline {' '.join(urls)}/>\n".encode()

    return fill(
        b'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>\n', rows(), b"</body></opml>\n"
    )


def handles_rows(count: int = 50_000):
    rows = (b"website,https://www.blog%d.example/%s/feed/\n" % (i, b"p" * 60) for i in range(count))
    return fill(b"network,handle\n", rows)


CASES = {
    # kind, file builder
    "linkedin-50000-rows": ("linkedin", lambda: linkedin_rows()),
    "linkedin-blank-lines": ("linkedin", lambda: b"Notes:\n" + b"\n" * (LIMIT - 8)),
    "linkedin-one-line-of-commas": ("linkedin", lambda: b"," * LIMIT),
    "mastodon-50000-rows": ("mastodon", lambda: mastodon_rows()),
    "mastodon-over-50000-rows": ("mastodon", lambda: mastodon_rows(200_000)),
    "x-50000-entries": ("x", lambda: x_following()),
    "x-empty-objects": (
        "x",
        lambda: b"window.YTD.following.part0 = [" + b"{}," * 1_700_000 + b"{}]",
    ),
    "x-values-under-the-cap": (
        "x",
        lambda: b"window.YTD.following.part0 = [" + b"1," * 499_000 + b"1]",
    ),
    "opml-100-segments": ("opml", lambda: opml(10_341, 2, 100, distinct_hosts=False)),
    "opml-100-segments-3-hosts": ("opml", lambda: opml(10_341, 3, 100, distinct_hosts=True)),
    "opml-most-urls": ("opml", lambda: opml(1_000_000, 3, 3, distinct_hosts=True)),
    "opml-elements": ("opml", lambda: b"<opml><body>" + b"<x/>" * 1_300_000 + b"</body></opml>"),
    "handles-50000-rows": ("handles", lambda: handles_rows()),
}


def child(kind: str, path: str) -> None:
    """Runs in the subprocess: set up Django, seed matches, time one preview, print JSON."""
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from community import imports
    from community.models import Identity, Network, User

    data = Path(path).read_bytes()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with transaction.atomic():
        member = User.objects.create_user(username="bench-imports", email="bench@imports.local")
        others = User.objects.bulk_create(
            User(username=f"bench-{i}", email=f"bench-{i}@imports.local", display_name=f"B {i}")
            for i in range(MATCHED)
        )
        try:
            parsed = imports.parse(kind, data, network="")
        except ValidationError:
            parsed = None
        keys = []
        if parsed is not None:
            for net, handles in parsed.handles.items():
                keys += [(net, h, "") for h in list(handles)[:MATCHED]]
            keys += [
                (Network.X, f"bench{i}", x) for i, x in enumerate(list(parsed.x_ids)[:MATCHED])
            ]
        Identity.objects.bulk_create(
            Identity(member=other, network=net, handle=handle, external_id=external)
            for other, (net, handle, external) in zip(others, keys, strict=False)
        )
        del parsed
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            try:
                preview = imports.preview_import(member=member, kind=kind, data=data)
                outcome = f"read: {preview.rows_read} rows, {len(preview.matches)} matches"
            except ValidationError as error:
                outcome = "refused: " + " ".join(error.messages)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        transaction.set_rollback(True)
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                "peak_mb": after.ru_maxrss / 1024,
                "baseline_mb": baseline,
                "queries": len(queries),
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    names = sys.argv[1:] or list(CASES)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"], check=True
    )
    # A yardstick for the machine's speed at this moment: ~0.12 s of CPU on an idle core.
    start = time.process_time()
    sum(range(10**7))
    yardstick = time.process_time() - start
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"yardstick sum(range(10**7)): {yardstick:.2f} s of CPU"
    )
    print(
        f"{'case':<30} {'size':>9} {'wall':>7} {'cpu':>7} {'peak RSS':>9} {'queries':>7}  outcome"
    )
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            kind, build = CASES[name]
            data = build()
            assert len(data) <= LIMIT, (name, len(data))
            path = Path(folder) / name
            path.write_bytes(data)
            result = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            ok = figures["cpu"] < 2 and figures["peak_mb"] < 200
            failed |= not ok
            print(
                f"{name:<30} {len(data) / 1e6:>7.2f}MB {figures['wall']:>6.2f}s "
                f"{figures['cpu']:>6.2f}s {figures['peak_mb']:>7.0f}MB {figures['queries']:>7}  "
                f"{figures['outcome'][:70]}{'' if ok else '  <-- over budget'}"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main()
