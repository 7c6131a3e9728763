"""Members' faces: profile photos (checked, re-encoded, stored) and generated avatars.

A photo is never served as uploaded. Pillow decodes it within fixed bounds (bytes, pixels,
formats), the pixels are rebuilt into a fresh image, so no metadata survives (EXIF and its GPS
position, ICC profile, text chunks, comments), then centre-cropped and stored as WebP squares of
`Photo.SIZES` pixels through the default storage, under names made of a content hash. Other
pictures members upload (an event's cover) go through the same `encode_picture` and
`store_files`, in their own shape.

Callers that show faces load the photo with the member, so that no face costs a query:
`select_related("photo")` on members, `select_related("member__photo")` on RSVPs,
`prefetch_related("organisers__photo")` on series, and so on.
"""

import hashlib
import io
import warnings
import zlib
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from community.models import Photo, User, delete_photo_files

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
# Below this the largest square would be mostly invented pixels; it also refuses the
# degenerate shapes (1 × 100,000) that a pixel count lets through.
PHOTO_MIN_SIDE = 64
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_CONTENT_TYPES = "image/jpeg,image/png,image/webp"
# Names never change meaning, so browsers, proxies and buckets may keep them for a year.
PHOTO_CACHE_CONTROL = "public, max-age=31536000, immutable"
WEBP_QUALITY = 82

# Pillow's own decompression-bomb guard at our limit: it warns above it (made an error below)
# and refuses images of twice as many pixels outright.
Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS

# Generated avatars: white initials on one of these colours, each with a contrast ratio of at
# least 4.5:1 against white (WCAG AA for normal text; tests/community/test_faces.py checks it).
AVATAR_COLOURS = (
    "#1d4f91",  # blue
    "#0e7490",  # cyan
    "#0f6b70",  # teal
    "#047857",  # emerald
    "#3f6212",  # olive
    "#8a4b00",  # brown
    "#c2410c",  # orange
    "#b91c1c",  # red
    "#be185d",  # pink
    "#86198f",  # fuchsia
    "#6d28d9",  # violet
    "#475569",  # slate
)

ORIENTATION_TAG = 0x0112  # EXIF

_UNREADABLE = _("This file is not a JPEG, PNG or WebP image that can be read.")


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB. It is cropped to a square around its centre."
        ),
        widget=forms.FileInput(attrs={"accept": PHOTO_CONTENT_TYPES}),
    )

    def clean_photo(self) -> dict[int, bytes]:
        """Returns the re-encoded squares, by size."""
        upload = self.cleaned_data["photo"]
        if upload.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("This file is larger than 5 MB."), code="too_big")
        return encode_photo(upload.read(PHOTO_MAX_BYTES + 1))


def encode_photo(data: bytes) -> dict[int, bytes]:
    """Decodes an uploaded image within bounds and returns WebP squares by size, made from its
    pixels only. Raises ValidationError (with a message for the member) for anything else.

    An animated image gives its first frame.
    """
    return encode_picture(data, sizes=[(size, size) for size in Photo.SIZES])


def encode_picture(data: bytes, *, sizes: list[tuple[int, int]]) -> dict[int, bytes]:
    """`encode_photo` for any shape: the centre of the image cut to the shape of `sizes`
    (all of one aspect ratio, largest first or not), as WebP by width. An event's cover
    goes through here, with the same bounds and the same refusals as a member's photo."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(_("This file is larger than 5 MB."), code="too_big")
    largest = max(sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = _decode_crop(data, *largest)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (OSError, SyntaxError, ValueError, TypeError, EOFError):
            # Pillow reports unknown, truncated and corrupt files through these.
            raise ValidationError(_UNREADABLE, code="unreadable") from None
    outputs = {}
    for width, height in sizes:
        image = (
            picture if width == picture.width else picture.resize((width, height), Image.LANCZOS)
        )
        buffer = io.BytesIO()
        image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
        outputs[width] = buffer.getvalue()
    return outputs


def _decode_crop(data: bytes, width: int, height: int) -> Image.Image:
    """The centre of the image in the shape `width` × `height`, at that size, RGB only."""
    # Reads the header only: format, size, and Pillow's bomb check.
    with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as probe:
        _check_dimensions(*probe.size)
        # Checks the file's structure (chunk checksums for PNG) without keeping any pixels;
        # the object is unusable afterwards, hence the second opening.
        probe.verify()
    image = Image.open(io.BytesIO(data), formats=PHOTO_FORMATS)
    try:
        # Orientations 5 to 8 turn the picture a quarter: the box is cut in the stored
        # picture's own axes, so in the turned shape.
        turned = image.getexif().get(ORIENTATION_TAG, 1) in (5, 6, 7, 8)
        cut_width, cut_height = (height, width) if turned else (width, height)
        if image.format == "JPEG":
            # Lets libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves `width` ×
            # `height` pixels: a 40-megapixel JPEG then costs a fraction of its full size.
            image.draft("RGB", (cut_width, cut_height))
        image.load()
        full_width, full_height = image.size
        _check_dimensions(full_width, full_height)
        # The largest centred box of the target's shape.
        crop_width = min(full_width, full_height * cut_width // cut_height)
        crop_height = min(full_height, full_width * cut_height // cut_width)
        left, top = (full_width - crop_width) // 2, (full_height - crop_height) // 2
        # The centre box is cut before the picture is turned upright: only the box stays in
        # memory once the full picture is closed.
        box = image.crop((left, top, left + crop_width, top + crop_height))
    finally:
        image.close()
    box = ImageOps.exif_transpose(box)
    if box.mode not in ("RGB", "RGBA"):
        box = box.convert("RGBA" if _has_alpha(box) else "RGB")
    # Not past the box's own pixels: a small image is enlarged once, at the end.
    scale = min(1.0, box.width / width, box.height / height)
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    box = box.resize(target, Image.LANCZOS, reducing_gap=3.0)
    if box.mode == "RGBA":
        # Transparent parts on white, as they would show on the page.
        background = Image.new("RGBA", box.size, (255, 255, 255, 255))
        box = Image.alpha_composite(background, box).convert("RGB")
    if target != (width, height):
        box = box.resize((width, height), Image.LANCZOS)
    # A new image from the pixels alone: whatever metadata the file carried stays behind.
    return Image.frombytes("RGB", box.size, box.tobytes())


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _check_dimensions(width: int, height: int) -> None:
    if width * height > PHOTO_MAX_PIXELS:
        raise _too_many_pixels()
    if min(width, height) < PHOTO_MIN_SIDE:
        raise ValidationError(
            _("This image is too small or too narrow: it needs at least %(side)s pixels each way.")
            % {"side": PHOTO_MIN_SIDE},
            code="too_small",
        )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has more than 40 megapixels: please send a smaller one."),
        code="too_many_pixels",
    )


def set_photo(*, member: User, squares: dict[int, bytes]) -> Photo:
    """Stores `squares` (from `encode_photo`) as the member's photo, replacing any other."""
    digest = hashlib.sha256(
        # The member's id makes names their own: removing one member's photo never removes
        # files that another member's identical upload uses.
        b"%d\n" % member.pk + b"".join(squares[size] for size in Photo.SIZES)
    ).hexdigest()[:16]
    new = Photo(member=member, digest=digest)
    store_files({new.file_name(size): squares[size] for size in Photo.SIZES})
    with transaction.atomic():
        old = Photo.objects.select_for_update().filter(member=member).first()
        new.save()
    if old is not None and old.digest != digest:
        delete_photo_files(old.file_names())
    member.photo = new
    return new


def store_files(files: dict[str, bytes]) -> None:
    """Saves content-hash named files through the default storage, each once."""
    storage = storages["default"]
    for name, content in files.items():
        if storage.exists(name):
            continue  # the same content, from an earlier upload of the same picture
        saved = storage.save(name, ContentFile(content))
        if saved != name:
            # Someone stored the same content meanwhile; the storage kept both.
            storage.delete(saved)


def remove_photo(*, member: User) -> bool:
    """Removes the member's photo and its files; False when there was none."""
    # One by one, so that the post_delete receiver deletes the files.
    photo = Photo.objects.filter(member=member).first()
    if photo is None:
        return False
    photo.delete()
    return True


@dataclass(frozen=True)
class Face:
    name: str
    size: int
    initials: str
    colour: str
    src: str = ""
    srcset: str = ""


def avatar_colour(member: User) -> str:
    """The generated avatar's colour: stable for a member, from their id."""
    key = str(member.pk if member.pk is not None else member.username).encode()
    return AVATAR_COLOURS[zlib.crc32(key) % len(AVATAR_COLOURS)]


def face(member: User, size: int = 48) -> Face:
    """What `{% face %}` draws for a member at `size` CSS pixels: the photo, for screens of
    1× and 2× density, or the generated avatar. Queries only if the photo was not loaded."""
    photo = photo_of(member)
    common = {
        "name": str(member),
        "size": size,
        "initials": member.initials,
        "colour": avatar_colour(member),
    }
    if photo is None:
        return Face(**common)
    one, two = _stored_size(size), _stored_size(2 * size)
    srcset = f"{photo.url(two)} 2x" if two != one else ""
    return Face(**common, src=photo.url(one), srcset=srcset)


def photo_of(member: User) -> Photo | None:
    """The member's photo, or None; without a query when it was loaded with the member."""
    try:
        return member.photo
    except Photo.DoesNotExist:
        return None


def _stored_size(pixels: int) -> int:
    """The smallest stored square at least `pixels` wide, else the largest."""
    return next((size for size in Photo.SIZES if size >= pixels), Photo.SIZES[-1])
