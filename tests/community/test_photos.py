"""Profile photos: what is refused, what is stored (and what is not), replacing and removing."""

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageCms, ImageOps, JpegImagePlugin, PngImagePlugin
from storages.backends.s3 import S3Storage

from community.models import Photo
from community.photos import PHOTO_MAX_BYTES, encode_photo, remove_photo, set_photo
from community.settings import media_config
from community.views.photos import serves_media

PHOTO_URL = "/members/me/photo/"
RED, BLUE = (220, 0, 0), (0, 0, 220)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_bytes(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **params)
    return buffer.getvalue()


def halves(size=(400, 300), first=RED, second=BLUE) -> Image.Image:
    """Left half `first`, right half `second`."""
    image = Image.new("RGB", size, second)
    image.paste(first, (0, 0, size[0] // 2, size[1]))
    return image


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels and carries almost none."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def webp_canvas_only(width: int, height: int) -> bytes:
    """An animated WebP with a `width` × `height` canvas around a single 1 × 1 frame."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) % 2)

    def u24(value: int) -> bytes:
        return struct.pack("<I", value)[:3]

    frame = image_bytes(Image.new("RGB", (1, 1), RED), "WEBP")[12:]  # its VP8 chunk
    body = (
        b"WEBP"
        + chunk(b"VP8X", b"\x02\x00\x00\x00" + u24(width - 1) + u24(height - 1))
        + chunk(b"ANIM", b"\xff\xff\xff\xff\x00\x00")
        + chunk(b"ANMF", u24(0) * 4 + u24(100) + b"\x00" + frame)
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def upload(client, data: bytes, name: str = "me.jpg"):
    return client.post(PHOTO_URL, {"photo": SimpleUploadedFile(name, data)})


def stored_files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def form_error_code(response) -> str:
    (error,) = response.context["form"].errors.as_data()["photo"]
    return error.code


# Refusals: a clear message, and nothing stored.


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"\xff\xd8\xff" + b"\x00" * PHOTO_MAX_BYTES, "big.jpg", "too_big"),
        (png_header_only(8000, 5001), "forty-megapixels-and-a-bit.png", "too_many_pixels"),
        (png_header_only(100_000, 100_000), "bomb.png", "too_many_pixels"),
        (webp_canvas_only(16383, 16383), "bomb.webp", "too_many_pixels"),
        (image_bytes(Image.new("RGB", (1, 100_000)), "PNG"), "needle.png", "too_small"),
        (image_bytes(halves(), "GIF"), "photo.gif", "unreadable"),
        (image_bytes(halves(), "BMP"), "photo.bmp", "unreadable"),
        (image_bytes(halves(), "TIFF"), "photo.tiff", "unreadable"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
            b'<circle r="50" cx="50" cy="50"/></svg>',
            "face.svg",
            "unreadable",
        ),
        (bytes(range(256)) * 64, "garbage.jpg", "unreadable"),
        (image_bytes(halves(), "JPEG")[:2000], "cut.jpg", "unreadable"),
        (image_bytes(halves(), "PNG")[:-40], "cut.png", "unreadable"),
    ],
    ids=[
        "more-than-5-MB",
        "more-than-40-megapixels",
        "decompression-bomb",
        "webp-bomb",
        "1x100000",
        "gif",
        "bmp",
        "tiff",
        "svg",
        "garbage",
        "truncated-jpeg",
        "truncated-png",
    ],
)
def test_refused_upload_says_why_and_stores_nothing(
    member_client, member, media_root, data, name, code
):
    response = upload(member_client, data, name)

    assert response.status_code == 400
    assert form_error_code(response) == code
    assert not Photo.objects.filter(member=member).exists()
    assert stored_files(media_root) == []


def test_refusal_messages_are_clear_in_french(member_client):
    page = upload(member_client, image_bytes(halves(), "GIF"), "photo.gif").content.decode()

    assert "Ce fichier n’est pas une image JPEG, PNG ou WebP lisible." in page


def test_too_big_is_refused_before_decoding():
    # A real image, only too large: the size alone refuses it.
    with pytest.raises(ValidationError) as refused:
        encode_photo(image_bytes(halves(), "PNG") + b"\x00" * PHOTO_MAX_BYTES)

    assert refused.value.code == "too_big"


def test_a_png_named_jpg_is_read_as_png(member_client, member):
    response = upload(member_client, image_bytes(halves(), "PNG"), "really-a-png.jpg")

    assert response.status_code == 302
    assert Photo.objects.filter(member=member).exists()


def test_animated_image_keeps_its_first_frame():
    frames = [Image.new("RGB", (200, 200), RED), Image.new("RGB", (200, 200), BLUE)]
    data = image_bytes(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(data)).n_frames == 2

    square = Image.open(io.BytesIO(encode_photo(data)[96]))

    assert getattr(square, "n_frames", 1) == 1
    red, green, blue = square.convert("RGB").getpixel((48, 48))
    assert red > 200 and blue < 30


# What is stored.


def test_photo_is_stored_as_webp_squares_named_by_content(member_client, member, media_root):
    response = upload(member_client, image_bytes(halves((1200, 800)), "JPEG"))

    assert response.status_code == 302
    photo = Photo.objects.get(member=member)
    assert len(photo.digest) == 16
    assert stored_files(media_root) == sorted(
        f"faces/{photo.digest}-{size}.webp" for size in (48, 96, 256)
    )
    for size in (48, 96, 256):
        with Image.open(media_root / f"faces/{photo.digest}-{size}.webp") as stored:
            assert (stored.format, stored.size) == ("WEBP", (size, size))


def test_stored_photo_carries_no_exif_gps_icc_or_text(member_client, member, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (50.0, 37.0, 48.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = image_bytes(halves(), "JPEG", exif=exif.tobytes(), icc_profile=icc, comment=b"hello")
    with Image.open(io.BytesIO(jpeg)) as original:  # the upload does carry them
        assert {"exif", "icc_profile", "comment"} <= set(original.info)
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "my home address")
    png = image_bytes(halves(), "PNG", pnginfo=text, icc_profile=icc)

    for data in (jpeg, png):
        upload(member_client, data)
        photo = Photo.objects.get(member=member)
        for size in (48, 96, 256):
            with Image.open(media_root / photo.file_name(size)) as stored:
                assert not {"exif", "icc_profile", "xmp", "comment", "Comment"} & set(stored.info)
                assert dict(stored.getexif()) == {}
                assert b"my home address" not in (media_root / photo.file_name(size)).read_bytes()


def quadrants(size=(400, 200)) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size)
    for colour, box in [
        ((220, 0, 0), (0, 0, width // 2, height // 2)),
        ((0, 0, 220), (width // 2, 0, width, height // 2)),
        ((0, 200, 0), (0, height // 2, width // 2, height)),
        ((230, 230, 0), (width // 2, height // 2, width, height)),
    ]:
        image.paste(colour, box)
    return image


def corner_colours(image: Image.Image) -> list[str]:
    """The colour name near each corner of a square (top left, top right, bottom left...)."""
    side = image.width
    names = []
    for x, y in [(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]:
        r, g, b = image.convert("RGB").getpixel((int(side * x), int(side * y)))
        names.append(
            "yellow"
            if r > 150 and g > 150
            else "red"
            if r > 150
            else "green"
            if g > 150
            else "blue"
        )
    return names


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    data = image_bytes(quadrants(), "JPEG", exif=exif.tobytes(), quality=95)
    # What a viewer shows: the picture turned upright, then its centre square.
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    crop = min(upright.size)
    left, top = (upright.width - crop) // 2, (upright.height - crop) // 2
    expected = upright.crop((left, top, left + crop, top + crop))

    square = Image.open(io.BytesIO(encode_photo(data)[256]))

    assert corner_colours(square) == corner_colours(expected)
    if orientation == 6:  # a quarter turn clockwise: the left half comes on top
        assert corner_colours(square) == ["green", "red", "yellow", "blue"]


def test_square_is_cut_around_the_centre():
    # Red | blue, wide: the centre square is half red, half blue.
    square = Image.open(io.BytesIO(encode_photo(image_bytes(halves((900, 300)), "PNG"))[256]))
    square = square.convert("RGB")

    assert square.getpixel((20, 128))[0] > 200
    assert square.getpixel((236, 128))[2] > 200


def test_huge_jpeg_is_decoded_at_reduced_size(monkeypatch):
    data = image_bytes(Image.new("RGB", (6000, 4000), RED), "JPEG", quality=50)
    decoded = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(image, mode, size):
        result = real_draft(image, mode, size)
        decoded.append(image.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)

    encode_photo(data)

    # 1/8 scale still leaves more than 256 pixels each way.
    assert decoded == [(750, 500)]


def test_transparent_parts_become_white():
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))

    square = Image.open(io.BytesIO(encode_photo(image_bytes(image, "PNG"))[48]))

    assert square.convert("RGB").getpixel((24, 24)) == (255, 255, 255)


# Replacing and removing.


def test_replacing_deletes_the_old_files(
    member_client, member, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(member_client, image_bytes(halves(), "PNG"))
    old = Photo.objects.get(member=member).file_names()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(member_client, image_bytes(halves(first=BLUE, second=RED), "PNG"))

    assert response.status_code == 302
    new = Photo.objects.get(member=member).file_names()
    assert set(new).isdisjoint(old)
    assert stored_files(media_root) == sorted(new)


def test_uploading_the_same_picture_again_keeps_its_files(
    member_client, member, media_root, django_capture_on_commit_callbacks
):
    data = image_bytes(halves(), "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        upload(member_client, data)
        upload(member_client, data)

    assert stored_files(media_root) == sorted(Photo.objects.get(member=member).file_names())


def test_removing_deletes_the_row_and_the_files(
    member_client, member, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(member_client, image_bytes(halves(), "PNG"))
        response = member_client.post(PHOTO_URL, {"remove": "1"})

    assert response.status_code == 302
    assert not Photo.objects.filter(member=member).exists()
    assert stored_files(media_root) == []


def test_deleting_the_member_deletes_the_files(
    member, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(member=member, squares=encode_photo(image_bytes(halves(), "PNG")))
        member.delete()

    assert stored_files(media_root) == []


def test_two_members_with_the_same_picture_have_their_own_files(
    member, outsider, media_root, django_capture_on_commit_callbacks
):
    squares = encode_photo(image_bytes(halves(), "PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(member=member, squares=squares)
        kept = set_photo(member=outsider, squares=squares)
        assert remove_photo(member=member) is True

    assert stored_files(media_root) == sorted(kept.file_names())


def test_a_failed_replacement_keeps_the_current_photo(member_client, member, media_root):
    upload(member_client, image_bytes(halves(), "PNG"))
    digest = Photo.objects.get(member=member).digest
    before = stored_files(media_root)

    response = upload(member_client, b"not an image")

    assert response.status_code == 400
    assert Photo.objects.get(member=member).digest == digest
    assert stored_files(media_root) == before


# The page and who may use it.


def test_anonymous_visitor_is_sent_to_log_in(db, client, media_root):
    response = upload(client, image_bytes(halves(), "PNG"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Photo.objects.count() == 0
    assert not media_root.exists()


def test_page_offers_removal_only_with_a_photo(member_client, member):
    assert reverse("community:photo") == PHOTO_URL  # before the `<username>/` profile route
    without = member_client.get(PHOTO_URL).content.decode()
    upload(member_client, image_bytes(halves(), "PNG"))
    with_photo = member_client.get(PHOTO_URL).content.decode()

    assert "Supprimer ma photo" not in without
    assert "Supprimer ma photo" in with_photo


def test_an_outsider_cannot_remove_someone_elses_photo(
    client, member, outsider, django_capture_on_commit_callbacks
):
    set_photo(member=member, squares=encode_photo(image_bytes(halves(), "PNG")))
    client.force_login(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(PHOTO_URL, {"remove": "1"})

    assert Photo.objects.filter(member=member).exists()


# Serving the files.


def test_stored_photo_is_served_with_long_cache_headers(client, member, media_root):
    photo = set_photo(member=member, squares=encode_photo(image_bytes(halves(), "PNG")))

    response = client.get(photo.url(96))

    assert photo.url(96) == f"/media/faces/{photo.digest}-96.webp"
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content) == (media_root / photo.file_name(96)).read_bytes()
    head = client.head(photo.url(96))
    assert (head.status_code, head["Cache-Control"]) == (200, response["Cache-Control"])


@pytest.mark.parametrize(
    "path",
    ["/media/faces/0123456789abcdef-96.png", "/media/../community/settings.py", "/media/x.webp"],
)
def test_only_photo_names_are_served(client, media_root, path):
    (media_root / "faces").mkdir(parents=True)
    (media_root / "faces/0123456789abcdef-96.png").write_bytes(b"secret")
    (media_root / "x.webp").write_bytes(b"secret")

    assert client.get(path).status_code == 404


# Configuration of the storage.


def test_media_default_to_a_folder_served_under_media():
    assert media_config({}) == ("/media/", None)


BUCKET = {
    "MEDIA_S3_BUCKET": "rencontres-media",
    "MEDIA_S3_ACCESS_KEY_ID": "key",
    "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
    "MEDIA_S3_ENDPOINT_URL": "https://s3.example",
    "MEDIA_S3_REGION": "fr-par",
    "MEDIA_URL": "https://media.rencontres.example/",
}


def test_bucket_configuration_gives_public_unsigned_urls_with_long_cache():
    url, options = media_config(BUCKET)
    storage = S3Storage(**options)

    assert url == "https://media.rencontres.example/"
    assert storage.url("faces/0123456789abcdef-96.webp") == (
        "https://media.rencontres.example/faces/0123456789abcdef-96.webp"
    )
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        "rencontres-media",
        "https://s3.example",
        "fr-par",
    )
    assert options["object_parameters"] == {"CacheControl": "public, max-age=31536000, immutable"}


@pytest.mark.parametrize(
    "missing", ["MEDIA_S3_BUCKET", "MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY"]
)
def test_half_configured_bucket_names_the_missing_variable(missing):
    with pytest.raises(ImproperlyConfigured, match=missing):
        media_config({**BUCKET, missing: ""})


@pytest.mark.parametrize("url", ["", "/media/", "https://media.example"])
def test_bucket_needs_its_public_address(url):
    with pytest.raises(ImproperlyConfigured, match="MEDIA_URL"):
        media_config({**BUCKET, "MEDIA_URL": url})


def test_media_url_of_the_folder_must_be_a_path():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_URL"):
        media_config({"MEDIA_URL": "media"})


def test_settings_with_a_bucket_store_media_there_and_allow_its_images():
    script = (
        "import json, community.settings as s; print(json.dumps("
        "[s.STORAGES['default']['BACKEND'], s.MEDIA_URL, s.SECURE_CSP['img-src']]))"
    )
    env = {
        **os.environ,
        **BUCKET,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused",  # starts no database
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout.splitlines()[-1]) == [
        "storages.backends.s3.S3Storage",
        "https://media.rencontres.example/",
        ["'self'", "data:", "https://media.rencontres.example"],
    ]


def test_photos_are_not_routed_through_django_with_a_bucket(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": media_config(BUCKET)[1],
        },
    }

    assert serves_media() is False
