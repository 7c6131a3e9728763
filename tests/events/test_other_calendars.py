"""Other calendars of the region: feeds fetched through the fetcher, on the shared calendar
and in clash warnings with a topic closeness."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events import rivals
from events.clashes import find_external_clashes
from events.models import ClashAcknowledgement, Event, ExternalEvent, RivalFeed
from tests.conftest import make_event
from tests.events.organising import paris
from tests.local_web import endless, slow

pytestmark = pytest.mark.django_db


def ics(*events: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


def vevent(uid, title, start, end=None, location="", description="", extra=""):
    lines = [f"UID:{uid}", f"SUMMARY:{title}", f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}"]
    if end:
        lines.append(f"DTEND;TZID=Europe/Paris:{end:%Y%m%dT%H%M%S}")
    if location:
        lines.append(f"LOCATION:{location}")
    if description:
        lines.append(f"DESCRIPTION:{description}")
    if extra:
        lines.append(extra)
    return "BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n"


def evening(days=10, hour=19):
    local = timezone.localtime() + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)


def serve_ics(web, body, path="/agenda.ics"):
    web.route(path, body=body, headers={"Content-Type": "text/calendar; charset=utf-8"})
    return web.url(path)


def add_feed(url, name="Analytics Lille", city=""):
    return RivalFeed.objects.create(name=name, url=url, city=city)


def refresh(feed):
    outcome = rivals.refresh_feed.call(feed_id=feed.pk)
    feed.refresh_from_db()
    return outcome


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def test_a_good_feed_is_stored_with_the_city_its_address_names(web, venue):
    start = evening()
    body = ics(
        vevent(
            "a@x",
            "Matomo et GA4",
            start,
            start + dt.timedelta(hours=2),
            "EuraTechnologies\\, 59000 Lille",
        ),
        vevent("b@x", "Apéro à Roubaix", start, location="Roubaix centre"),
        vevent("old@x", "Passé", evening(days=-30)),
        vevent("gone@x", "Annulé", start, extra="STATUS:CANCELLED"),
    )
    feed = add_feed(serve_ics(web, body), city="Villeneuve-d'Ascq")
    assert refresh(feed) == "fetched"
    stored = {e.uid: (e.title, e.area) for e in ExternalEvent.objects.all()}
    assert stored == {
        "a@x": ("Matomo et GA4", "lille"),
        "b@x": ("Apéro à Roubaix", "villeneuve-d'ascq"),
    }
    event = ExternalEvent.objects.get(uid="b@x")
    assert event.end - event.start == rivals.DEFAULT_LENGTH
    assert feed.problem == ""


def test_conditional_requests_leave_the_events_alone(web):
    start = evening()
    body = ics(vevent("a@x", "Matomo", start))

    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            request.send_response(304)
            request.end_headers()
            return
        data = body.encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/calendar")
        request.send_header("ETag", '"v1"')
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    web.route("/agenda.ics", handler=handler)
    feed = add_feed(web.url("/agenda.ics"))
    assert refresh(feed) == "fetched"
    assert feed.etag == '"v1"'
    assert refresh(feed) == "not_modified"
    assert ExternalEvent.objects.count() == 1
    assert web.requests[1]["headers"]["If-None-Match"] == '"v1"'


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        (lambda web: web.route("/agenda.ics", body="<html>Not a calendar</html>"), "malformed"),
        (lambda web: web.route("/agenda.ics", handler=endless), "too_big"),
        (lambda web: web.route("/agenda.ics", handler=slow(30)), "timeout"),
        (lambda web: web.route("/agenda.ics", status=500, body="boom"), "status"),
        (
            lambda web: web.route(
                "/agenda.ics", status=302, headers={"Location": "http://169.254.169.254/latest/"}
            ),
            "private",
        ),
    ],
    ids=["malformed", "huge", "slow", "error", "redirect-to-private"],
)
def test_a_broken_or_hostile_feed_keeps_its_last_events_and_says_why(
    web, setup, problem, organiser_client, monkeypatch
):
    from community import fetch

    monkeypatch.setattr(fetch, "TIMEOUT", 1.0)
    start = evening()
    feed = add_feed(serve_ics(web, ics(vevent("a@x", "Matomo", start))))
    refresh(feed)
    setup(web)
    assert refresh(feed) == problem
    assert feed.problem == problem
    assert ExternalEvent.objects.filter(feed=feed).count() == 1
    page = organiser_client.get(reverse("events:other_calendars")).content.decode()
    assert str(feed.problem_label) in page
    assert "Events of the last good fetch" in page
    workspace = organiser_client.get(reverse("events:organise")).content.decode()
    assert "1 with a problem" in workspace


def test_a_feed_with_too_many_events_keeps_the_first(web, monkeypatch):
    monkeypatch.setattr(rivals, "MAX_EVENTS", 3)
    start = evening()
    feed = add_feed(serve_ics(web, ics(*(vevent(f"{n}@x", f"E{n}", start) for n in range(5)))))
    refresh(feed)
    assert ExternalEvent.objects.count() == 3
    assert feed.problem == RivalFeed.Problem.TOO_MANY


def test_external_events_clash_by_day_and_city_with_topic_closeness(web, series, venue):
    series.description = "Le rendez-vous lillois de la web analytics : mesure d'audience, Matomo."
    series.save()
    make_event(title="Tableaux de bord et GA4", start=paris(2026, 1, 14, 19), series=series)
    start = evening()
    body = ics(
        vevent("close@x", "Matomo et GA4 en pratique", start, location="Lille"),
        vevent("far@x", "Tricot urbain", start + dt.timedelta(hours=1), location="Lille"),
        vevent("elsewhere@x", "Matomo à Arras", start, location="Arras"),
    )
    refresh(add_feed(serve_ics(web, body)))
    ours = timezone.make_aware(start)
    clashes = find_external_clashes(
        start=ours + dt.timedelta(hours=2),
        end=ours + dt.timedelta(hours=4),
        city="Lille",
        series=series,
    )
    assert [(c.other.title, c.shared_words, c.percent, c.level) for c in clashes] == [
        # « matomo » and « pratique » are its words; the series' description has « matomo ».
        ("Matomo et GA4 en pratique", ["matomo"], 50, "high"),
        ("Tricot urbain", [], 0, "low"),
    ]
    assert [c.same_time for c in clashes] == [False, True]


def test_the_event_form_warns_of_an_external_evening(web, organiser_client, series, venue):
    series.description = "Matomo, mesure d'audience."
    series.save()
    start = evening()
    refresh(
        add_feed(
            serve_ics(web, ics(vevent("m@x", "Matomo Camp", start, location="Lille"))),
            name="Matomo Camp Lille",
        )
    )
    data = {
        "title": "Soirée",
        "status": "published",
        "start": f"{start:%Y-%m-%dT%H:%M}",
        "end": f"{start + dt.timedelta(hours=3):%Y-%m-%dT%H:%M}",
        "venue": venue.pk,
    }
    response = organiser_client.post(reverse("events:organise_create", args=[series.slug]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Event.objects.filter(title="Soirée").exists()
    assert "1 event from another calendar on this date" in html
    assert "Matomo Camp Lille" in html
    assert "Words it shares with your series’ description and past titles:" in html
    assert "<q>matomo</q>" in html
    assert 'name="publish_anyway"' in html
    response = organiser_client.post(
        reverse("events:organise_create", args=[series.slug]), {**data, "publish_anyway": "on"}
    )
    assert response.status_code == 302
    assert Event.objects.filter(title="Soirée").exists()
    assert not ClashAcknowledgement.objects.exists()


def test_shared_calendar_shows_external_events_marked_and_clashing(
    web, organiser_client, series, venue
):
    start = evening()
    refresh(add_feed(serve_ics(web, ics(vevent("m@x", "Matomo Camp", start, location="Lille")))))
    ours = make_event(
        title="Blog en Nord", start=timezone.make_aware(start), series=series, venue=venue
    )
    month = f"{start:%Y-%m}"
    response = organiser_client.get(reverse("events:organise_calendar"), {"month": month})
    entries = [e for w in response.context["weeks"] for d in w for e in d["events"]]
    flags = {(e.title, getattr(e, "is_external", False), e.clashes) for e in entries}
    assert flags == {("Matomo Camp", True, True), (ours.title, False, True)}
    assert 'class="cal-external">external</span>' in response.content.decode()


def test_organisers_add_a_feed_and_it_is_fetched(
    web, organiser_client, django_capture_on_commit_callbacks
):
    url = serve_ics(web, ics(vevent("m@x", "Matomo Camp", evening(), location="Lille")))
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("events:other_calendars"),
            {
                "name": "Matomo Camp",
                "url": url.replace("http://", "webcal://").replace("webcal://", "http://"),
                "city": "Lille",
            },
        )
    assert response.status_code == 302
    feed = RivalFeed.objects.get()
    assert feed.succeeded_at is not None
    assert ExternalEvent.objects.filter(feed=feed).count() == 1
    page = organiser_client.get(reverse("events:other_calendars")).content.decode()
    assert "1 upcoming event, fetched" in page


def test_webcal_addresses_are_read_as_https(organiser_client):
    response = organiser_client.post(
        reverse("events:other_calendars"),
        {"name": "Venue", "url": "webcal://agenda.example/feed.ics", "city": ""},
    )
    assert response.status_code == 302
    assert RivalFeed.objects.get().url == "https://agenda.example/feed.ics"


@pytest.mark.parametrize("url", ["ftp://agenda.example/x.ics", "javascript:alert(1)", "not a url"])
def test_bad_feed_addresses_are_form_errors(organiser_client, url):
    response = organiser_client.post(
        reverse("events:other_calendars"), {"name": "X", "url": url, "city": ""}
    )
    assert response.status_code == 400
    assert "Enter the http or https address of an iCalendar feed." in response.content.decode()
    assert not RivalFeed.objects.exists()


def test_only_organisers_see_or_change_other_calendars(client, outsider):
    feed = add_feed("https://agenda.example/feed.ics")
    client.force_login(outsider)
    assert client.get(reverse("events:other_calendars")).status_code == 403
    assert client.post(reverse("events:other_calendar_delete", args=[feed.pk])).status_code == 403
    assert client.post(reverse("events:other_calendar_refresh", args=[feed.pk])).status_code == 403
    assert RivalFeed.objects.filter(pk=feed.pk).exists()


def test_organisers_remove_a_feed_with_its_events(web, organiser_client):
    feed = add_feed(serve_ics(web, ics(vevent("m@x", "Matomo Camp", evening()))))
    refresh(feed)
    organiser_client.post(reverse("events:other_calendar_delete", args=[feed.pk]))
    assert not RivalFeed.objects.exists()
    assert not ExternalEvent.objects.exists()


def test_refresh_command_queues_every_feed(web):
    from django.core.management import call_command

    add_feed(serve_ics(web, ics(vevent("m@x", "A", evening())), "/a.ics"), name="A")
    add_feed(serve_ics(web, ics(vevent("n@x", "B", evening())), "/b.ics"), name="B")
    call_command("refresh_other_calendars")
    assert sorted(ExternalEvent.objects.values_list("title", flat=True)) == ["A", "B"]


@pytest.mark.parametrize("count", [1, 15])
def test_other_calendars_page_query_count_does_not_grow(
    organiser_client, django_assert_max_num_queries, count
):
    for n in range(count):
        add_feed(f"https://agenda.example/{n}.ics", name=f"F{n}")
    # session, user, organiser check, second factor, the feeds with their counts, the data
    # version, and the header's photo and organiser flag
    with django_assert_max_num_queries(8):
        response = organiser_client.get(reverse("events:other_calendars"))
    assert len(response.context["feeds"]) == count
