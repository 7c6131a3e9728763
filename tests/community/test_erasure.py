"""Deleting an account: the member's data gone from every table, the community's counts kept."""

import io
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from community import privacy
from community.mail import send_message
from community.models import Identity, ImportBatch, Network, Photo, Tie, User
from community.photos import encode_photo, set_photo
from events import webmentions
from events.models import RSVP, Event, Meeting, Recap, RivalFeed, Series
from tests.community import test_data_export
from tests.conftest import PASSWORD, make_event, make_member, organise, reauthenticate

hidden = test_data_export.hidden  # the fixture: a member who hides everything

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def tables_containing(needle: str) -> list[str]:
    """Every `table.column` of the test database whose text holds `needle` (any case)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s) "
            "ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def leaving(db) -> User:
    user = make_member("zelie-depart", display_name="Zélie Départ", city="Roubaix", bio="Photos.")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def world(leaving, hidden, outsider, organiser, series, venue):
    """Zélie's traces everywhere, among a hidden member, an outsider and an organiser."""
    handles = ["zelie@piaille.fr", "zelie-photographie.fr", "zeliedepart"]
    networks = (Network.MASTODON, Network.WEBSITE, Network.X)
    for network, handle in zip(networks, handles, strict=True):
        Identity.objects.create(member=leaving, network=network, handle=handle)
    Identity.objects.create(member=hidden, network=Network.X, handle="nadia_secrete")
    batch = ImportBatch.objects.create(member=leaving, kind="linkedin", filename="zelie.csv")
    Tie.objects.create(
        from_member=leaving,
        to_member=hidden,
        network=Network.LINKEDIN,
        source=Tie.Source.IMPORTED,
        import_batch=batch,
    )
    Tie.objects.create(from_member=hidden, to_member=leaving, network=Network.X)
    Tie.objects.create(from_member=outsider, to_member=leaving, network=Network.X)
    Tie.objects.create(from_member=hidden, to_member=outsider, network=Network.X)
    past = make_event(title="Blog en Nord #40", days=-30, series=series, venue=venue)
    for attendee in (leaving, hidden, outsider):
        RSVP.objects.create(event=past, member=attendee, status=RSVP.Status.GOING)
    a, b = sorted([leaving, hidden], key=lambda m: m.pk)
    Meeting.objects.create(event=past, member_a=a, member_b=b, recorded_by=leaving)
    full = make_event(title="Blog en Nord #43", days=10, series=series, venue=venue, capacity=1)
    RSVP.objects.create(event=full, member=leaving, status=RSVP.Status.GOING)
    RSVP.objects.create(event=full, member=hidden, status=RSVP.Status.WAITLISTED)
    organise(leaving, series)  # co-organised with `organiser`: she can leave it
    # The admin's history names the member and her identity by their text.
    for obj in (leaving, leaving.identities.first()):
        LogEntry.objects.log_actions(
            user_id=organiser.pk, queryset=[obj], action_flag=CHANGE, change_message="[]"
        )
    # The job queue keeps the messages it sent, with the address and the greeting.
    for to in (leaving, hidden):
        DBTaskResult.objects.create(
            task_path=send_message.module_path,
            args_kwargs={
                "args": [],
                "kwargs": {"to": to.email, "subject": "Rappel", "body": f"Bonjour {to},"},
            },
            status=TaskResultStatus.SUCCESSFUL,
            backend_name="default",
            run_after=timezone.now(),
        )
    # A recap from her verified blog, its webmention job, a calendar she added.
    source = "https://zelie-photographie.fr/2026/blog-en-nord-40"
    Recap.objects.create(
        event=past,
        source=source,
        title="Blog en Nord #40",
        author=leaving,
        author_name="Zélie Départ",
    )
    DBTaskResult.objects.create(
        task_path=webmentions.receive.module_path,
        args_kwargs={"args": [], "kwargs": {"source": source, "event_id": past.pk}},
        status=TaskResultStatus.SUCCESSFUL,
        backend_name="default",
        run_after=timezone.now(),
    )
    RivalFeed.objects.create(name="Agenda", url="https://agenda.example/a.ics", added_by=leaving)
    return {"past": past, "full": full, "handles": handles}


def delete_account(client, member, *, email=None, **headers):
    return client.post(
        reverse("community:account_delete"), {"email": email or member.email}, headers=headers
    )


def test_erasure_leaves_no_trace_of_the_member_in_any_table(
    client, leaving, world, django_capture_on_commit_callbacks
):
    needles = [leaving.email, leaving.display_name, leaving.username, *world["handles"]]
    assert tables_containing(leaving.email) == [
        "account_emailaddress.email",
        "community_user.email",
        "django_tasks_database_dbtaskresult.args_kwargs",
    ]  # the scan does see the member's data before
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(client, leaving)

    assert response.status_code == 302
    for needle in needles:
        assert tables_containing(needle) == [], needle


def test_erasure_scrubs_the_account_and_removes_what_it_owned(
    client, leaving, world, django_capture_on_commit_callbacks
):
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(client, leaving)

    leaving.refresh_from_db()
    assert leaving.display_name == "Ancien membre"
    assert leaving.username.startswith("former-")
    assert leaving.email.endswith("@erased.invalid")
    assert (leaving.city, leaving.bio, leaving.first_name, leaving.last_name) == ("", "", "", "")
    assert not leaving.is_active
    assert not leaving.has_usable_password()
    assert not leaving.listed_in_attendees
    assert list(Identity.objects.filter(member=leaving)) == []
    assert list(Tie.objects.filter(from_member=leaving)) == []
    assert list(Tie.objects.filter(to_member=leaving)) == []
    assert list(ImportBatch.objects.filter(member=leaving)) == []
    assert list(Meeting.objects.all()) == []
    assert list(EmailAddress.objects.filter(user=leaving)) == []
    assert list(Series.objects.get(slug="blog-en-nord").organisers.values_list("username")) == [
        ("orla",)
    ]


def test_past_attendance_counts_are_unchanged(
    client, leaving, world, django_capture_on_commit_callbacks
):
    past = world["past"]
    before = Event.objects.with_counts().get(pk=past.pk).going_count
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(client, leaving)

    assert before == 3
    assert Event.objects.with_counts().get(pk=past.pk).going_count == 3
    assert RSVP.objects.get(event=past, member=leaving).is_going  # on the scrubbed account
    # Nobody can see who that attendee was.
    assert sorted(RSVP.objects.filter(event=past).listed().values_list("member__username")) == [
        ("olivier",)
    ]


def test_the_first_waitlisted_member_gets_the_freed_seat_and_hears_of_it(
    client, leaving, hidden, world, django_capture_on_commit_callbacks
):
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(client, leaving)

    full = world["full"]
    assert list(RSVP.objects.filter(event=full).values_list("member__username", "status")) == [
        ("nadia", "going")
    ]
    assert [m.to for m in mail.outbox if "Blog en Nord #43" in m.subject] == [[hidden.email]]


def test_the_deleted_address_gets_a_confirmation(
    client, leaving, world, django_capture_on_commit_callbacks
):
    leaving.language = "en"
    leaving.save()
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(client, leaving)

    confirmations = [m for m in mail.outbox if m.to == ["zelie-depart@example.org"]]
    assert [m.subject for m in confirmations] == ["[Rencontres] Your account is deleted"]
    assert "your Rencontres account is deleted" in confirmations[0].body
    assert "Zélie" not in confirmations[0].body


def test_erasure_logs_the_member_out_everywhere_and_says_so(
    client, leaving, world, django_capture_on_commit_callbacks
):
    phone = client.__class__()
    phone.force_login(leaving)
    reauthenticate(client, leaving)
    assert Session.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(client, leaving, **{"accept-language": "en"})

    assert response["Location"] == reverse("events:home")
    assert list(Session.objects.all()) == []
    home = client.get(response["Location"], headers={"accept-language": "en"})
    assert "Your account is deleted. A confirmation is on its way to you." in home.content.decode()
    assert not home.wsgi_request.user.is_authenticated
    assert not phone.get(reverse("events:home")).wsgi_request.user.is_authenticated


def test_other_members_data_is_intact(
    client, leaving, hidden, outsider, world, django_capture_on_commit_callbacks
):
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(client, leaving)

    hidden.refresh_from_db()
    assert (hidden.email, hidden.display_name, hidden.is_active) == (
        "nadia@example.org",
        "Nadia Secrète",
        True,
    )
    assert list(hidden.identities.values_list("handle", flat=True)) == ["nadia_secrete"]
    assert list(Tie.objects.values_list("from_member__username", "to_member__username")) == [
        ("nadia", "olivier")
    ]
    assert RSVP.objects.get(event=world["past"], member=hidden).is_going
    assert RSVP.objects.get(event=world["past"], member=outsider).is_going
    assert [r.args_kwargs["kwargs"]["to"] for r in DBTaskResult.objects.all()] == [hidden.email]


def test_the_sole_organiser_of_a_series_is_asked_to_hand_it_over_first(
    client, leaving, world, django_capture_on_commit_callbacks
):
    alone = Series.objects.create(name="Mercredi Web Analytics", slug="mercredi-web-analytics")
    organise(leaving, alone)
    reauthenticate(client, leaving)

    page = client.get(reverse("community:account_delete"), headers={"accept-language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(client, leaving, **{"accept-language": "en"})

    reason = (
        "You are the only organiser of the series « Mercredi Web Analytics »: add another "
        "organiser to it before deleting your account."
    )
    assert reason in page.content.decode()
    assert response.status_code == 400
    assert reason in response.content.decode()
    leaving.refresh_from_db()
    assert (leaving.email, leaving.is_active) == ("zelie-depart@example.org", True)
    assert leaving.identities.count() == 3
    assert mail.outbox == []


def test_a_wrong_confirmation_deletes_nothing(client, leaving, world):
    reauthenticate(client, leaving)

    response = delete_account(
        client, leaving, email="someone@example.org", **{"accept-language": "en"}
    )

    assert response.status_code == 400
    assert "This is not the email address of your account." in response.content.decode()
    leaving.refresh_from_db()
    assert leaving.is_active
    assert leaving.identities.count() == 3


def test_deleting_asks_for_the_password_again(client, leaving, world):
    client.force_login(leaving)

    response = delete_account(client, leaving)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    leaving.refresh_from_db()
    assert leaving.is_active


def test_future_rsvps_to_a_cancelled_event_go_without_error(
    client, leaving, world, django_capture_on_commit_callbacks
):
    called_off = make_event(title="Annulée", days=5, status=Event.Status.CANCELLED)
    RSVP.objects.create(event=called_off, member=leaving, status=RSVP.Status.GOING)
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(client, leaving)

    assert response.status_code == 302
    assert list(RSVP.objects.filter(event=called_off)) == []


def test_the_admin_history_no_longer_names_the_member(
    client, leaving, world, django_capture_on_commit_callbacks
):
    user_type = ContentType.objects.get_for_model(User)
    reauthenticate(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(client, leaving)

    entry = LogEntry.objects.get(content_type=user_type, object_id=str(leaving.pk))
    assert entry.object_repr == "—"


def test_after_reauthenticating_the_interrupted_deletion_goes_on(
    client, leaving, world, django_capture_on_commit_callbacks
):
    client.force_login(leaving)
    to_reauth = delete_account(client, leaving)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(to_reauth["Location"], {"password": PASSWORD})

    assert response["Location"] == reverse("events:home")
    leaving.refresh_from_db()
    assert not leaving.is_active
    assert list(Session.objects.all()) == []
    assert not client.get(reverse("events:home")).wsgi_request.user.is_authenticated


def test_the_photo_is_exported_then_deleted_with_its_files(
    db, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    member = make_member("pauline")
    image = io.BytesIO()
    Image.new("RGB", (300, 300), "teal").save(image, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        photo = set_photo(member=member, squares=encode_photo(image.getvalue()))
    names = photo.file_names()
    assert all((tmp_path / name).exists() for name in names)

    archive = zipfile.ZipFile(io.BytesIO(privacy.export_zip(member=member)))
    assert sorted(n for n in archive.namelist() if n.startswith("photo-")) == [
        "photo-256.webp",
        "photo-48.webp",
        "photo-96.webp",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase(member=member)

    assert not Photo.objects.filter(member=member).exists()
    assert not any((tmp_path / name).exists() for name in names)
