"""Faces: `{% face %}` and `{% face_stack %}` draw the photo or the generated avatar."""

import io

import pytest
from django.template import Context, Template
from PIL import Image

from community.models import User
from community.photos import AVATAR_COLOURS, avatar_colour, encode_photo, set_photo
from events.models import RSVP
from tests.conftest import make_member


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def render(source: str, **context) -> str:
    return Template("{% load faces %}" + source).render(Context(context))


def give_photo(member: User):
    image = Image.new("RGB", (300, 300), (30, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return set_photo(member=member, squares=encode_photo(buffer.getvalue()))


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


# The generated avatar.


def test_every_avatar_colour_has_aa_contrast_with_white_text():
    assert len(AVATAR_COLOURS) == 12
    assert len(set(AVATAR_COLOURS)) == 12
    for colour in AVATAR_COLOURS:
        assert 1.05 / (relative_luminance(colour) + 0.05) >= 4.5, colour


def test_avatar_colour_is_stable_for_a_member():
    # Fixed values: the colour must not depend on the process (no salted `hash()`).
    assert [avatar_colour(User(pk=pk)) for pk in (1, 2, 3, 42)] == [
        "#475569",
        "#0e7490",
        "#b91c1c",
        "#be185d",
    ]


def test_avatar_colours_spread_over_members():
    assert {avatar_colour(User(pk=pk)) for pk in range(1, 121)} == set(AVATAR_COLOURS)


def test_avatar_colour_survives_a_change_of_name(member):
    before = avatar_colour(member)
    member.display_name = "Someone Else"
    member.username = "someone-else"
    member.save()

    assert avatar_colour(User.objects.get(pk=member.pk)) == before


@pytest.mark.parametrize(
    ("display_name", "initials"),
    [
        ("Camille Dupont", "CD"),
        ("marie", "M"),
        ("  jean   pierre  martin ", "JP"),
        ("Élodie Lefèvre", "ÉL"),
    ],
)
def test_avatar_shows_the_initials(db, display_name, initials):
    make_member("someone", display_name=display_name)

    html = render("{% face member %}", member=User.objects.select_related("photo").get())

    assert f">{initials}</text>" in html


def test_avatar_without_photo_is_an_inline_svg_named_for_the_member(db):
    member = make_member("camille", display_name="Camille Dupont")
    colour = avatar_colour(member)

    html = render("{% face member size=40 %}", member=member)

    assert html.strip() == (
        '<svg class="face face-avatar" width="40" height="40" viewBox="0 0 100 100" role="img" '
        'aria-label="Camille Dupont"><circle cx="50" cy="50" r="50" fill="' + colour + '"/>'
        '<text x="50" y="50" dy=".35em" text-anchor="middle" font-size="40" font-weight="700" '
        'fill="#ffffff">CD</text></svg>'
    )


def test_names_are_escaped(db):
    member = make_member("mallory", display_name='<b>"Mal"</b> Lory')

    html = render("{% face member %}", member=member)

    assert 'aria-label="&lt;b&gt;&quot;Mal&quot;&lt;/b&gt; Lory"' in html
    assert "<b>" not in html


# The photo.


@pytest.mark.parametrize(
    ("size", "src", "srcset"),
    [(24, 48, None), (48, 48, 96), (96, 96, 256), (128, 256, None), (400, 256, None)],
)
def test_photo_is_an_img_with_the_stored_size_for_1x_and_2x(member, size, src, srcset):
    photo = give_photo(member)
    member = User.objects.select_related("photo").get(pk=member.pk)

    html = render("{% face member size=size %}", member=member, size=size)

    srcset_attr = f' srcset="/media/faces/{photo.digest}-{srcset}.webp 2x"' if srcset else ""
    assert html.strip() == (
        f'<img class="face" src="/media/faces/{photo.digest}-{src}.webp"{srcset_attr} '
        f'width="{size}" height="{size}" alt="{member.display_name}" loading="lazy" '
        'decoding="async">'
    )


def test_face_of_a_member_after_removing_the_photo_is_the_avatar(
    member, django_capture_on_commit_callbacks
):
    give_photo(member)
    with django_capture_on_commit_callbacks(execute=True):
        member.photo.delete()

    html = render("{% face member %}", member=User.objects.select_related("photo").get())

    assert html.startswith('<svg class="face face-avatar"')


# No query when the photo is loaded with the member.


def test_faces_cost_no_query_when_photos_are_loaded(db, django_assert_num_queries):
    give_photo(make_member("amelie"))
    make_member("bruno")
    members = list(User.objects.select_related("photo").order_by("username"))

    with django_assert_num_queries(0):
        html = render(
            "{% for m in members %}{% face m size=48 %}{% endfor %}{% face_stack members %}",
            members=members,
        )

    assert html.count("<img ") == 2
    assert html.count('<svg class="face face-avatar"') == 2


def test_faces_of_attendees_cost_no_query_through_rsvps(
    event, member, outsider, django_assert_num_queries
):
    give_photo(member)
    for person in (member, outsider):
        RSVP.objects.create(event=event, member=person, status=RSVP.Status.GOING)
    rsvps = list(RSVP.objects.going().filter(event=event).select_related("member__photo"))

    with django_assert_num_queries(0):
        html = render("{% for r in rsvps %}{% face r.member %}{% endfor %}", rsvps=rsvps)

    assert html.count("<img ") == 1
    assert html.count("<svg ") == 1


def test_a_member_loaded_without_the_photo_costs_one_query(member, django_assert_num_queries):
    member = User.objects.get(pk=member.pk)

    with django_assert_num_queries(1):
        render("{% face member %}{% face member %}", member=member)


# The stack.


def test_face_stack_shows_five_faces_then_the_count_of_the_others(db):
    for name in "abcdefg":
        make_member(f"member-{name}")
    members = User.objects.select_related("photo").order_by("username")

    html = render("{% face_stack members max=5 %}", members=members)

    assert html.count('<svg class="face face-avatar"') == 5
    assert 'aria-label="Member E"' in html
    assert 'aria-label="Member F"' not in html
    assert ">+2</text>" in html
    assert '<span class="visually-hidden">et 2 autres</span>' in html


def test_face_stack_counts_the_others_from_the_total_of_a_slice(db):
    for name in "abc":
        make_member(f"member-{name}")
    members = User.objects.select_related("photo").order_by("username")[:3]

    html = render("{% face_stack members max=5 total=41 %}", members=members)

    assert html.count('<svg class="face face-avatar"') == 3
    assert ">+38</text>" in html


def test_face_stack_without_others_has_no_count(db):
    make_member("solo")

    html = render("{% face_stack members %}", members=User.objects.select_related("photo"))

    assert html.count('<svg class="face face-avatar"') == 1
    assert "+" not in html
    assert html.startswith('<ul class="face-stack"><li><svg')


def test_a_face_beside_the_name_is_hidden_from_screen_readers(db):
    from django.template import Context, Template

    from tests.conftest import make_member

    member = make_member("nina-nouvelle", display_name="Nina Nouvelle")
    template = Template("{% load faces %}{% face m size=32 %}|{% face m size=32 decorative=True %}")
    named, beside = template.render(Context({"m": member})).split("|")

    assert 'aria-label="Nina Nouvelle"' in named
    assert "Nina Nouvelle" not in beside
    assert 'aria-hidden="true"' in beside
