import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from community.models import Network, Tie, User
from events.management.commands.seed_scale import tie_offsets
from events.models import RSVP, Event


def seed_scale(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


SMALL = ["--members", "200", "--ties", "2000", "--events", "5", "--attendees", "50"]


def number(username: str) -> int:
    return int(username.removeprefix("scale-"))


def test_seed_scale_creates_exact_counts(db):
    out = seed_scale(*SMALL)

    members = User.objects.filter(username__startswith="scale-")
    assert members.count() == 200
    assert sorted(number(u) for u in members.values_list("username", flat=True)) == list(
        range(1, 201)
    )
    assert not any(m.has_usable_password() for m in members)
    assert Tie.objects.count() == 2000
    assert Event.objects.published().upcoming().count() == 6
    assert (
        RSVP.objects.filter(event__slug="scale-big-event", status=RSVP.Status.GOING).count() == 50
    )
    assert "ties           2,000 / 2,000" in out  # the progress display


def test_seed_scale_ties_are_unique_clustered_and_mixed(db):
    seed_scale(*SMALL)

    ties = list(Tie.objects.values_list("from_member__username", "to_member__username", "network"))
    pairs = [(number(a), number(b)) for a, b, _ in ties]
    assert len(set(pairs)) == len(pairs) == 2000  # one tie per ordered pair
    assert all(a != b for a, b in pairs)
    # Mostly near neighbours on the ring of 200 members, plus some far ties.
    near = [p for p in pairs if min((p[0] - p[1]) % 200, (p[1] - p[0]) % 200) <= 10]
    assert 0.7 <= len(near) / len(pairs) <= 0.9
    pair_set = set(pairs)
    mutual = [p for p in pairs if (p[1], p[0]) in pair_set]
    assert len(mutual) / len(pairs) > 0.6
    assert {network for _, _, network in ties} == set(Network.values)


def test_seed_scale_events_are_upcoming_apart_with_going_rsvps(db):
    seed_scale(*SMALL)

    now = timezone.now()
    events = list(Event.objects.with_counts().order_by("start"))
    assert all(e.is_published and e.start > now for e in events)
    assert events[-1].start < now + dt.timedelta(weeks=8)
    for before, after in zip(events, events[1:], strict=False):
        assert before.end <= after.start
        assert before.venue_id == after.venue_id
    for event in events[:-1]:
        assert 10 <= event.going_count <= event.capacity
    big = events[-1]
    assert (big.slug, big.capacity, big.going_count) == ("scale-big-event", None, 50)


def test_second_run_adds_members_with_fresh_usernames(db):
    seed_scale("--members", "50", "--ties", "300", "--events", "2")

    seed_scale("--members", "30", "--ties", "100", "--events", "2")

    usernames = set(User.objects.values_list("username", flat=True))
    assert usernames == {f"scale-{n}" for n in range(1, 81)}
    assert Tie.objects.count() == 400
    assert Event.objects.count() == 4


def test_second_big_event_is_refused_with_a_clear_message(db):
    seed_scale(*SMALL)

    with pytest.raises(CommandError, match="scale-big-event"):
        seed_scale("--members", "10", "--attendees", "5")

    assert User.objects.count() == 200


def test_impossible_tie_count_is_refused(db):
    with pytest.raises(CommandError, match="at most 20 ties"):
        seed_scale("--members", "5", "--ties", "21")

    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("members", "per_member"), [(2, 1), (5, 4), (10, 9), (200, 10), (1000, 20)]
)
def test_tie_offsets_never_repeat_a_target(members, per_member):
    bases, widths = tie_offsets(members, per_member)

    for i in range(members):
        targets = [
            (i + base + (i * 2654435761 % width if width else 0)) % members
            for base, width in zip(bases, widths, strict=True)
        ]
        assert len(set(targets)) == per_member
        assert i not in targets
