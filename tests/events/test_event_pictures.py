"""An event's pictures: the drawn share image, the organisers' cover."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.photos import PHOTO_MAX_BYTES
from events import pictures
from events.models import RSVP, Event
from tests.conftest import make_event, make_member
from tests.events.organising import edit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def og_image(client, event) -> str:
    body = client.get(event.get_absolute_url()).content.decode()
    return re.search(r'<meta property="og:image" content="http://testserver([^"]+)">', body)[1]


def picture(size=(1600, 900), colour=(200, 30, 30), format="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=format)
    return buffer.getvalue()


def test_share_image_is_a_1200_by_630_png_served_for_ever(client, event, media_root):
    response = client.get(og_image(client, event))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    # The series' colour fills the background (top left corner, away from the text).
    assert image.convert("RGB").getpixel((5, 5)) == (0x24, 0x56, 0xA6)
    event.refresh_from_db()
    assert stored(media_root) == [event.share_image]
    assert event.share_image.startswith(f"share/{event.pk}-")


def test_share_image_changes_with_the_title_and_the_old_file_goes(
    client, event, media_root, django_capture_on_commit_callbacks
):
    first = og_image(client, event)
    first_png = client.get(first).content
    old_name = Event.objects.get(pk=event.pk).share_image

    event.title = "Soirée renommée"
    event.save()
    second = og_image(client, event)
    # Files are deleted once the transaction that replaced them commits.
    with django_capture_on_commit_callbacks(execute=True):
        second_png = client.get(second).content

    assert second != first
    assert second_png != first_png
    assert Image.open(io.BytesIO(second_png)).size == (1200, 630)
    assert stored(media_root) == [Event.objects.get(pk=event.pk).share_image]
    assert old_name not in stored(media_root)
    # The old address leads to the current picture.
    response = client.get(first)
    assert (response.status_code, response["Location"]) == (302, second)


def test_share_image_follows_the_seats(client, event):
    before = og_image(client, event)
    RSVP.objects.create(event=event, member=make_member("x"), status=RSVP.Status.GOING)

    assert og_image(client, event) != before


def test_share_image_of_a_hold_is_not_shown_to_visitors(client, series):
    hold = make_event(series=series, status=Event.Status.HOLD)
    url = reverse("events:share_image", args=[hold.slug, pictures.share_digest(hold)])

    assert client.get(url).status_code == 404


def test_drawing_survives_a_long_title_and_no_series_or_venue():
    text = pictures.ShareText(
        colour="#f5f5f5", series="", title="Très " * 60, when="Jeudi", where="", seats="Complet"
    )

    image = Image.open(io.BytesIO(pictures.draw_share_image(text)))

    assert image.size == (1200, 630)


# ---- The cover, on the organiser form ----


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def test_organiser_uploads_a_cover_reencoded_and_shown(organiser_client, event, media_root):
    response = edit(organiser_client, event, cover=SimpleUploadedFile("c.jpg", picture()))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cover_digest
    assert stored(media_root) == [
        f"covers/{event.cover_digest}-1200.webp",
        f"covers/{event.cover_digest}-600.webp",
    ]
    big = Image.open(media_root / f"covers/{event.cover_digest}-1200.webp")
    assert (big.format, big.size) == ("WEBP", (1200, 630))
    assert not big.getexif()
    assert event.picture_url == f"/media/covers/{event.cover_digest}-600.webp"
    body = organiser_client.get(event.get_absolute_url()).content.decode()
    assert f'src="/media/covers/{event.cover_digest}-1200.webp"' in body
    served = organiser_client.get(f"/media/covers/{event.cover_digest}-600.webp")
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"


def test_replacing_and_removing_the_cover_delete_the_old_files(
    organiser_client, event, media_root, django_capture_on_commit_callbacks
):
    edit(organiser_client, event, cover=SimpleUploadedFile("a.png", picture(format="PNG")))
    first = Event.objects.get(pk=event.pk).cover_digest
    # Files are deleted once the transaction that replaced them commits.
    with django_capture_on_commit_callbacks(execute=True):
        edit(organiser_client, event, cover=SimpleUploadedFile("b.jpg", picture(colour=(0, 9, 0))))
    second = Event.objects.get(pk=event.pk).cover_digest

    assert second != first
    assert all(second in name for name in stored(media_root))

    with django_capture_on_commit_callbacks(execute=True):
        edit(organiser_client, event, remove_cover="on")

    event.refresh_from_db()
    assert event.cover_digest == ""
    assert stored(media_root) == []
    assert event.picture_url.startswith(f"/events/{event.slug}/share/")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not an image", "n’est pas une image JPEG, PNG ou WebP lisible"),
        (b"\xff" * (PHOTO_MAX_BYTES + 1), "dépasse 5 Mo"),
    ],
)
def test_cover_refusals_say_why_and_store_nothing(
    organiser_client, event, media_root, data, message
):
    response = edit(organiser_client, event, cover=SimpleUploadedFile("x.jpg", data), title="Neuf")

    assert response.status_code == 200
    assert message in response.content.decode()
    # Nothing lost: the form keeps what was typed; nothing stored.
    assert 'value="Neuf"' in response.content.decode()
    event.refresh_from_db()
    assert (event.cover_digest, event.title) == ("", "Soirée Blog en Nord")
    assert stored(media_root) == []


def test_deleting_the_event_deletes_its_pictures(
    organiser_client, event, media_root, django_capture_on_commit_callbacks
):
    edit(organiser_client, event, cover=SimpleUploadedFile("c.jpg", picture()))
    organiser_client.get(og_image(organiser_client, event))
    assert len(stored(media_root)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        Event.objects.get(pk=event.pk).delete()

    assert stored(media_root) == []
