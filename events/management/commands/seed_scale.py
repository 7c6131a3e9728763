"""Bulk data for benchmarks: many members, a clustered tie graph, upcoming events with RSVPs.

Rows are generated inside PostgreSQL (`INSERT … SELECT … FROM generate_series`), in batches,
one transaction per batch, so 100,000 members and 2,000,000 ties take well under two minutes
and nothing travels through Python row by row. Members are `scale-<n>`; a second run adds
more members with fresh numbers.

The tie graph is a small world: member i follows the members at fixed near offsets (±1, ±2, …,
so most ties are mutual and neighbourhoods are dense) plus a few far members, spread over
disjoint offset ranges so that no pair repeats.
"""

import datetime as dt
import math
import time
import zoneinfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from community.models import Network
from events import cache
from events.models import Event, Series, Venue

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
BIG_EVENT_SLUG = "scale-big-event"
MEMBER_BATCH = 25_000
TIE_BATCH = 250_000
FIRST_NAMES = [
    "Camille", "Julie", "Claire", "Sophie", "Manon", "Léa", "Chloé", "Pauline", "Émilie",
    "Marion", "Aurélie", "Céline", "Élodie", "Anaïs", "Laura", "Mathilde", "Inès", "Zoé",
    "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Guillaume", "Pierre", "Romain",
    "Mathieu", "Benoît", "François", "Olivier", "Hugo", "Lucas", "Théo", "Karim", "Mehdi",
]  # fmt: skip
LAST_NAMES = [
    "Vandamme", "Dubois", "Lefebvre", "Leroy", "Delattre", "Deschamps", "Lemaire", "Vasseur",
    "Descamps", "Duhamel", "Carpentier", "Declercq", "Vanhoutte", "Wattel", "Desmet", "Lecomte",
    "Bonte", "Leclercq", "Caron", "Dupont", "Martin", "Petit", "Roussel", "Hennebelle",
    "Lambert", "Morel", "Fontaine", "Gosselin", "Lagache", "Verhaeghe", "Flament", "Delannoy",
]  # fmt: skip
CITIES = [
    "Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Lambersart", "Marcq-en-Barœul",
    "Dunkerque", "Calais", "Bergues", "Valenciennes", "Douai", "Armentières",
]  # fmt: skip


def tie_offsets(members: int, per_member: int) -> tuple[list[int], list[int]]:
    """Offsets (and widths of far ranges) such that no two of a member's ties share a target.

    Near offsets are ±1, ±2, … up to M; every fifth tie goes far, into its own slice of
    [M + 1, N - M - 1], shifted within the slice by a hash of the member's number.
    """
    far = per_member // 5
    while True:
        near = per_member - far
        reach = math.ceil(near / 2)
        span = members - 2 * reach - 1
        width = span // far if far else 0
        if not far or width >= 1:
            break
        far = 0
    near_offsets = [(j // 2 + 1) * (1 if j % 2 == 0 else -1) for j in range(near)]
    bases, widths = [], []
    for j in range(per_member):
        if far and j % 5 == 4 and j // 5 < far:
            bases.append(reach + 1 + (j // 5) * width)
            widths.append(width)
        else:
            bases.append(near_offsets.pop(0))
            widths.append(0)
    return bases, widths


class Command(BaseCommand):
    help = "Bulk-insert members, ties and upcoming events for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--ties", type=int, default=0)
        parser.add_argument("--events", type=int, default=0)
        parser.add_argument(
            "--attendees",
            type=int,
            default=0,
            help=f"Also create the event {BIG_EVENT_SLUG!r} with this many going members.",
        )

    def handle(self, *args, members: int, ties: int, events: int, attendees: int, **options):
        if members < 1 or ties < 0 or events < 0 or attendees < 0:
            raise CommandError("--members must be positive; --ties, --events, --attendees ≥ 0.")
        if ties > members * (members - 1):
            most = members * (members - 1)
            raise CommandError(f"{members:,} members can have at most {most:,} ties.")
        if attendees > members:
            raise CommandError("--attendees cannot exceed --members.")
        if attendees and Event.objects.filter(slug=BIG_EVENT_SLUG).exists():
            raise CommandError(
                f"The event {BIG_EVENT_SLUG!r} already exists: seed a fresh database for it."
            )
        self.started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")  # a benchmark fixture, not user data
            first = self.next_number(cursor)
            self.insert_members(cursor, first, members)
            if ties:
                self.insert_ties(cursor, members, ties)
            if events or attendees:
                self.insert_events(cursor, first, members, events, attendees)
            self.progress("analyze", 0, 0)
            cursor.execute("ANALYZE community_user, community_tie, events_event, events_rsvp")
            cursor.execute("DROP TABLE IF EXISTS scale_ids")
            cursor.execute("RESET synchronous_commit")
        cache.changed()  # raw SQL sends no signal
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {members:,} members (scale-{first}…scale-{first + members - 1}), "
                f"{ties:,} ties, {events:,} events"
                + (f" and {BIG_EVENT_SLUG} with {attendees:,} attendees" if attendees else "")
                + f" in {time.monotonic() - self.started:.1f} s."
            )
        )

    def progress(self, what: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        count = f" {done:>11,} / {total:,}" if total else ""
        self.stdout.write(f"  {what:<8}{count}  ({elapsed:6.1f} s)")
        self.stdout.flush()

    def next_number(self, cursor) -> int:
        cursor.execute(
            "SELECT coalesce(max(substr(username, 7)::bigint), 0) + 1 FROM community_user "
            r"WHERE username ~ '^scale-\d{1,12}$'"
        )
        return cursor.fetchone()[0]

    def insert_members(self, cursor, first: int, count: int) -> None:
        # idx (0-based within this run) → user id, for the ties and RSVPs below.
        cursor.execute("DROP TABLE IF EXISTS scale_ids")
        cursor.execute("CREATE TEMP TABLE scale_ids (idx integer PRIMARY KEY, id bigint)")
        for start in range(0, count, MEMBER_BATCH):
            stop = min(start + MEMBER_BATCH, count)
            with transaction.atomic():
                cursor.execute(
                    """
                    WITH new AS (
                        INSERT INTO community_user (
                            password, is_superuser, username, first_name, last_name, is_staff,
                            is_active, date_joined, email, display_name, city, bio,
                            ties_visibility, listed_in_attendees, calendar_token
                        )
                        SELECT '!', false, 'scale-' || n, '', '', false,
                               true, now(), 'scale-' || n || '@scale.invalid',
                               (%(first_names)s::text[])[1 + n %% %(nf)s] || ' '
                                 || (%(last_names)s::text[])[1 + (n / %(nf)s) %% %(nl)s],
                               (%(cities)s::text[])[1 + n %% %(nc)s], '',
                               'members', true, 'scale-' || n || '-' || md5(random()::text)
                        FROM generate_series(%(a)s::bigint, %(b)s::bigint) AS n
                        ORDER BY n
                        RETURNING id, username
                    )
                    INSERT INTO scale_ids (idx, id)
                    SELECT substr(username, 7)::bigint - %(first)s, id FROM new
                    """,
                    {
                        "first_names": FIRST_NAMES,
                        "last_names": LAST_NAMES,
                        "cities": CITIES,
                        "nf": len(FIRST_NAMES),
                        "nl": len(LAST_NAMES),
                        "nc": len(CITIES),
                        "a": first + start,
                        "b": first + stop - 1,
                        "first": first,
                    },
                )
            self.progress("members", stop, count)

    def insert_ties(self, cursor, members: int, ties: int) -> None:
        per_member = math.ceil(ties / members)
        bases, widths = tie_offsets(members, per_member)
        for start in range(0, ties, TIE_BATCH):
            stop = min(start + TIE_BATCH, ties)
            with transaction.atomic():
                # Tie t: member i = t / k follows member (i + offset_j) mod N, j = t mod k.
                cursor.execute(
                    """
                    INSERT INTO community_tie (from_member_id, to_member_id, network, source,
                                               created_at)
                    SELECT src.id, dst.id,
                           (%(networks)s::text[])[1 + (t.i * 3 + t.j) %% %(nn)s],
                           'declared', now()
                    FROM (
                        SELECT g / %(k)s AS i, g %% %(k)s AS j,
                               (%(bases)s::bigint[])[1 + g %% %(k)s] AS base,
                               (%(widths)s::bigint[])[1 + g %% %(k)s] AS width
                        FROM generate_series(%(a)s::bigint, %(b)s::bigint) AS g
                    ) AS t
                    JOIN scale_ids AS src ON src.idx = t.i
                    JOIN scale_ids AS dst ON dst.idx = (
                        (t.i + t.base + CASE WHEN t.width > 0
                                             THEN (t.i * 2654435761) %% t.width ELSE 0 END)
                        %% %(n)s + %(n)s) %% %(n)s
                    ORDER BY t.i, t.j
                    """,
                    {
                        "networks": Network.values,
                        "nn": len(Network.values),
                        "k": per_member,
                        "bases": bases,
                        "widths": widths,
                        "a": start,
                        "b": stop - 1,
                        "n": members,
                    },
                )
            self.progress("ties", stop, ties)

    def insert_events(self, cursor, first: int, members: int, events: int, attendees: int):
        venue, _ = Venue.objects.get_or_create(
            name="Salle des benchmarks", city="Lille", defaults={"address": "1 rue du Test"}
        )
        series, _ = Series.objects.get_or_create(
            slug="scale", defaults={"name": "Scale", "home_city": "Lille"}
        )
        # Daily evenings after whatever this venue already hosts, so no two overlap.
        last = venue.events.order_by("-end").values_list("end", flat=True).first()
        day = timezone.localtime(max(last or timezone.now(), timezone.now()), PARIS).date()
        with transaction.atomic():
            created = []
            for number in range(events):
                day += dt.timedelta(days=1)
                start = dt.datetime.combine(day, dt.time(19), tzinfo=PARIS)
                created.append(
                    Event.objects.create(
                        series=series,
                        venue=venue,
                        title=f"Soirée de charge n°{number + 1}",
                        slug=f"scale-{first}-event-{number + 1}",
                        start=start,
                        end=start + dt.timedelta(hours=3),
                        capacity=100,
                    )
                )
            # Event at position p gets 10–49 going members, a different slice each time.
            cursor.execute(
                """
                INSERT INTO events_rsvp (event_id, member_id, status, created_at,
                                         status_changed_at, updated_at)
                SELECT e.id, m.id, 'going', now(), now() - r * interval '1 minute', now()
                FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS e(id, pos)
                CROSS JOIN LATERAL generate_series(
                    0, least(%(n)s, 10 + (e.pos * 7) %% 40) - 1) AS r
                JOIN scale_ids AS m ON m.idx = (e.pos * 7919 + r) %% %(n)s
                """,
                {"ids": [event.pk for event in created], "n": members},
            )
            self.progress("events", events, events)
            if attendees:
                day += dt.timedelta(days=1)
                start = dt.datetime.combine(day, dt.time(19), tzinfo=PARIS)
                big = Event.objects.create(
                    series=series,
                    venue=venue,
                    title="Le grand rassemblement",
                    slug=BIG_EVENT_SLUG,
                    start=start,
                    end=start + dt.timedelta(hours=4),
                    capacity=None,
                )
                cursor.execute(
                    """
                    INSERT INTO events_rsvp (event_id, member_id, status, created_at,
                                             status_changed_at, updated_at)
                    SELECT %(event)s, id, 'going', now(), now() - idx * interval '1 second', now()
                    FROM scale_ids WHERE idx < %(count)s
                    """,
                    {"event": big.pk, "count": attendees},
                )
                self.progress("rsvps", attendees, attendees)
