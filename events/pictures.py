"""An event's pictures: the cover its organisers upload, and the share image the site draws.

The cover is checked and re-encoded exactly like a member's photo (`community.photos`), cut to
the 1.91:1 shape of link previews and stored as WebP under names made of a content hash; the
old files go when it is replaced or removed, and with the event.

The share image is the picture a shared link unfolds with (Open Graph, Twitter card): a
1200 × 630 PNG in the series' colour with the title, the date, the venue and the seats, drawn
with Pillow in the site's language. Its name is a hash of what it shows, so it is never stale:
an event that changes (or whose seats fill) has a new name, drawn on the first request for it,
and the previous file is deleted then.
"""

import hashlib
import io
import textwrap
from dataclasses import astuple, dataclass
from functools import cache

from django.conf import settings
from django.core.files.storage import storages
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import formats, timezone, translation
from PIL import Image, ImageDraw, ImageFont

from community import photos
from community.models import delete_photo_files
from events.models import Event

COVER_SIZES = [(1200, 630), (600, 315)]
SHARE_SIZE = (1200, 630)
# Part of every share image's name: bump it when the drawing changes, so that new names
# replace the pictures already cached by browsers and link previews.
DRAWING = 1
FONT_DIR = "/usr/share/fonts/truetype/dejavu/"


# ---- The cover ----


def encode_cover(data: bytes) -> dict[int, bytes]:
    """The upload re-encoded in the cover's sizes, by width; ValidationError as for photos."""
    return photos.encode_picture(data, sizes=COVER_SIZES)


def cover_name(digest: str, width: int) -> str:
    return f"covers/{digest}-{width}.webp"


def cover_url(event: Event, width: int = 1200) -> str:
    if not event.cover_digest:
        return ""
    return storages["default"].url(cover_name(event.cover_digest, width))


def set_cover(*, event: Event, pictures: dict[int, bytes]) -> None:
    """Stores `pictures` (from `encode_cover`) as the event's cover, replacing any other."""
    # The event's id makes names its own: removing one event's cover never removes files
    # that another event's identical upload uses.
    digest = hashlib.sha256(
        b"event-%d\n" % event.pk + b"".join(pictures[width] for width, _h in COVER_SIZES)
    ).hexdigest()[:16]
    photos.store_files({cover_name(digest, width): pictures[width] for width, _h in COVER_SIZES})
    _replace_cover(event, digest)


def remove_cover(*, event: Event) -> bool:
    """Removes the event's cover and its files; False when there was none."""
    if not event.cover_digest:
        return False
    _replace_cover(event, "")
    return True


def _replace_cover(event: Event, digest: str) -> None:
    old = event.cover_digest
    event.cover_digest = digest
    # save(): the signal changes the data version, so pages show the new cover at once.
    event.save(update_fields=["cover_digest", "updated_at"])
    if old and old != digest:
        delete_photo_files([cover_name(old, width) for width, _h in COVER_SIZES])


# ---- The share image ----


@dataclass(frozen=True)
class ShareText:
    """What the share image shows, in words: its name is a hash of it."""

    colour: str
    series: str
    title: str
    when: str
    where: str
    seats: str


def share_text(event: Event, going_count: int) -> ShareText:
    # In the site's language: one picture per event, whoever shares the link.
    with translation.override(settings.LANGUAGE_CODE):
        start = timezone.localtime(event.start)
        when = formats.date_format(start, "l j F Y, H:i")
        if timezone.localtime(event.end).date() == start.date():
            when += " – " + formats.time_format(timezone.localtime(event.end), "H:i")
        return ShareText(
            colour=event.series.colour if event.series else "#2456a6",
            series=event.series.name if event.series else "",
            title=event.title,
            when=when[:1].upper() + when[1:],
            where=f"{event.venue.name}, {event.venue.city}" if event.venue else "",
            seats=event.seats_in_words(going_count),
        )


def _going_count(event: Event) -> int:
    going = getattr(event, "going_count", None)
    return event.rsvps.going().count() if going is None else going


def share_digest(event: Event, going_count: int | None = None) -> str:
    text = share_text(event, _going_count(event) if going_count is None else going_count)
    key = repr((DRAWING, event.pk, astuple(text))).encode()
    return hashlib.sha256(key).hexdigest()[:16]


def share_image_url(event: Event, going_count: int | None = None) -> str:
    """The address of the event's current share image (drawn on its first request)."""
    return reverse("events:share_image", args=[event.slug, share_digest(event, going_count)])


def picture_url(event: Event) -> str:
    return cover_url(event, 600) or share_image_url(event)


def share_image_name(event: Event, digest: str) -> str:
    return f"share/{event.pk}-{digest}.png"


def stored_share_image(event: Event, going_count: int) -> str:
    """The storage name of the event's current share image, drawn and stored if missing."""
    digest = share_digest(event, going_count)
    name = share_image_name(event, digest)
    storage = storages["default"]
    if not storage.exists(name):
        photos.store_files({name: draw_share_image(share_text(event, going_count))})
    if event.share_image != name:
        old = event.share_image
        # No signal: nothing any page shows changed, only which file is current.
        Event.objects.filter(pk=event.pk).update(share_image=name)
        event.share_image = name
        if old:
            delete_photo_files([old])
    return name


def draw_share_image(text: ShareText) -> bytes:
    """A 1200 × 630 PNG: the series' colour, its name, the title, date, venue and seats."""
    width, height = SHARE_SIZE
    colour = _rgb(text.colour)
    ink = (255, 255, 255) if _luminance(colour) < 0.45 else (27, 31, 36)
    image = Image.new("RGB", SHARE_SIZE, colour)
    draw = ImageDraw.Draw(image)
    # Abstract circles on the right, a shade of the colour: the picture reads as the series'.
    shade = _mix(colour, ink, 0.14)
    for cx, cy, r in ((1080, 90, 230), (1180, 520, 170), (930, 610, 90)):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=shade)
    margin = 72
    y = 64
    if text.series:
        draw.text((margin, y), text.series.upper(), font=_font(True, 30), fill=ink)
        y += 62
    title_font = _font(True, 68)
    lines = _wrap(draw, text.title, title_font, width - 2 * margin - 120, max_lines=3)
    for line in lines:
        draw.text((margin, y), line, font=title_font, fill=ink)
        y += 82
    y += 18
    for line, size in ((text.when, 38), (text.where, 34)):
        if line:
            small = _wrap(draw, line, _font(False, size), width - 2 * margin, max_lines=1)
            draw.text((margin, y), small[0], font=_font(False, size), fill=ink)
            y += size + 20
    # The seats on a badge in the page's paper colour, and the site's name, at the bottom.
    badge_font = _font(True, 34)
    left, top, right, bottom = draw.textbbox((0, 0), text.seats, font=badge_font)
    badge_y = height - margin - 60
    draw.rounded_rectangle(
        (margin, badge_y, margin + right - left + 48, badge_y + 60), radius=30, fill=ink
    )
    draw.text((margin + 24, badge_y + 30), text.seats, font=badge_font, fill=colour, anchor="lm")
    draw.text(
        (width - margin, badge_y + 30), "Rencontres", font=_font(True, 32), fill=ink, anchor="rm"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _wrap(draw, text: str, font, max_width: int, *, max_lines: int) -> list[str]:
    """`text` in lines no wider than `max_width`; the last one cut with "…" if need be."""
    lines: list[str] = []
    for chars in range(60, 8, -4):
        lines = textwrap.wrap(text, chars) or [""]
        if all(draw.textlength(line, font=font) <= max_width for line in lines):
            break
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,.;:") + "…"
    while draw.textlength(lines[-1], font=font) > max_width and len(lines[-1]) > 1:
        lines[-1] = lines[-1][:-2] + "…"
    return lines


@cache
def _font(bold: bool, size: int):
    """DejaVu Sans (Debian's fonts-dejavu-core), else Pillow's own font."""
    try:
        return ImageFont.truetype(
            FONT_DIR + ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), size
        )
    except OSError:
        return ImageFont.load_default(size=size)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _luminance(rgb: tuple[int, int, int]) -> float:
    return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255


def _mix(a: tuple, b: tuple, amount: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))


@receiver(post_delete, sender=Event, dispatch_uid="events.pictures.deleted")
def _event_deleted(sender, instance: Event, **kwargs) -> None:
    names = [instance.share_image] if instance.share_image else []
    if instance.cover_digest:
        names += [cover_name(instance.cover_digest, width) for width, _h in COVER_SIZES]
    if names:
        delete_photo_files(names)
