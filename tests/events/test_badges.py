"""Name badges: an A4 PDF of the members going, 8 to a sheet, read back with pypdf."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from community.models import Identity, Network
from community.photos import encode_photo, set_photo
from events.models import RSVP, Series
from tests.conftest import make_member, make_organiser

pytestmark = pytest.mark.django_db


def going(event, *names, **extra):
    members = [make_member(name, **extra) for name in names]
    for member in members:
        RSVP.objects.create(event=event, member=member, status=RSVP.Status.GOING)
    return members


def read(response) -> PdfReader:
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_nine_going_members_make_two_a4_sheets_of_eight_then_one(client, organiser, event):
    going(event, *[f"membre-{n}" for n in range(1, 10)])
    client.force_login(organiser)

    reader = read(client.get(reverse("events:badges", args=[event.slug])))

    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    first, second = page_texts(reader)
    assert [f"Membre {n}" in first for n in range(1, 9)] == [True] * 8
    assert "Membre 9" in second and "Membre 1\n" not in second


def test_a_badge_shows_the_name_the_handles_and_the_series(client, organiser, event):
    [zoe] = going(event, "zoe", display_name="Zoé Lefèvre-Dubœuf")
    Identity.objects.create(member=zoe, network=Network.MASTODON, handle="zoe@piaille.fr")
    Identity.objects.create(member=zoe, network=Network.WEBSITE, handle="zoe.example.org/blog")
    waiting = make_member("wanda")
    RSVP.objects.create(event=event, member=waiting, status=RSVP.Status.WAITLISTED)
    client.force_login(organiser)

    [text] = page_texts(read(client.get(reverse("events:badges", args=[event.slug]))))

    assert "Zoé Lefèvre-Dubœuf" in text
    assert "@zoe@piaille.fr" in text
    assert "zoe.example.org/blog" in text
    assert "Blog en Nord" in text
    assert "Wanda" not in text  # waiting is not going


def test_a_member_with_a_photo_gets_it_on_the_badge(client, organiser, event):
    [zoe] = going(event, "zoe")
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 30, 30)).save(buffer, format="PNG")
    set_photo(member=zoe, squares=encode_photo(buffer.getvalue()))
    client.force_login(organiser)

    reader = read(client.get(reverse("events:badges", args=[event.slug])))

    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image.size == (256, 256)


def test_badges_of_an_event_nobody_goes_to_are_one_page(client, organiser, event):
    client.force_login(organiser)

    reader = read(client.get(reverse("events:badges", args=[event.slug])))

    assert len(reader.pages) == 1
    assert "Personne n’est inscrit pour l’instant." in reader.pages[0].extract_text()


def test_only_the_events_organisers_get_the_badges(client, event, outsider):
    going(event, "zoe")
    client.force_login(outsider)
    assert client.get(reverse("events:badges", args=[event.slug])).status_code == 403
    client.force_login(make_organiser("rival", Series.objects.create(name="MWA", slug="mwa")))
    assert client.get(reverse("events:badges", args=[event.slug])).status_code == 403


def test_the_badges_cost_the_same_queries_for_one_or_many_members(
    client, organiser, event, django_assert_max_num_queries
):
    [first] = going(event, "zoe")
    Identity.objects.create(member=first, network=Network.X, handle="zoe")
    client.force_login(organiser)
    with django_assert_max_num_queries(10) as one:
        client.get(reverse("events:badges", args=[event.slug]))
    for member in going(event, *[f"membre-{n}" for n in range(20)]):
        Identity.objects.create(member=member, network=Network.X, handle=member.username[:15])

    with django_assert_max_num_queries(len(one.captured_queries)):
        reader = read(client.get(reverse("events:badges", args=[event.slug])))

    assert len(reader.pages) == 3
