"""Printable name badges of an event's going members: A4 sheets of 8, to cut along the marks.

Each badge: the series' colour and name, the member's face (their photo, else the initials
avatar the site draws), their name in large type, the handles on their public profile (the
online names people know them by), and their door pass as a QR code — so a badge handed out
before the door also checks its wearer in. Drawn with ReportLab in DejaVu Sans (Debian's
`fonts-dejavu-core`, for every accent and script a name may carry), or ReportLab's Helvetica
where that font is missing.
"""

import io
from pathlib import Path

import segno
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from community.models import Network, Photo
from community.photos import avatar_colour, photo_of
from events.checkin import door_url
from events.models import Event

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
COLUMNS, ROWS = 2, 4
BADGE_W, BADGE_H = 90 * mm, 66 * mm
PAGE_W, PAGE_H = A4
MARGIN_X = (PAGE_W - COLUMNS * BADGE_W) / 2
MARGIN_Y = (PAGE_H - ROWS * BADGE_H) / 2
PAD = 4 * mm
BAND_H = 9 * mm
FACE = 20 * mm
QR_SIZE = 24 * mm
HANDLES_SHOWN = 3
# How each network's handle reads on a badge: `@nick` where people write it that way.
AT_NETWORKS = {Network.X, Network.MASTODON, Network.BLUESKY}


def _fonts() -> tuple[str, str]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", regular))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold))
    return "DejaVuSans", "DejaVuSans-Bold"


def going_members(event: Event):
    """The members going, in name order, with what their badges show."""
    rsvps = (
        event.rsvps.going()
        .filter(member__is_active=True)
        .select_related("member__photo")
        .prefetch_related("member__identities")
        .order_by("member__display_name", "member__pk")
    )
    return [rsvp.member for rsvp in rsvps]


def handle_lines(member) -> list[str]:
    """The handles of the member's public profile, as people write them."""
    lines = []
    for identity in member.identities.all():
        handle = f"@{identity.handle}" if identity.network in AT_NETWORKS else identity.handle
        lines.append(f"{identity.get_network_display()} · {handle}")
    return lines[:HANDLES_SHOWN]


def badges_pdf(event: Event) -> bytes:
    regular, bold = _fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Name badges: %(title)s") % {"title": event.title})
    pdf.setCreator("Rencontres")
    members = going_members(event)
    day = date_format(timezone.localtime(event.start), "j F Y")
    for index, member in enumerate(members):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            pdf.showPage()
        column, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + column * BADGE_W
        y = PAGE_H - MARGIN_Y - (row + 1) * BADGE_H
        _badge(pdf, x, y, event=event, member=member, day=day, fonts=(regular, bold))
    if not members:
        pdf.setFont(regular, 14)
        pdf.drawString(MARGIN_X, PAGE_H - MARGIN_Y, event.title)
        pdf.drawString(MARGIN_X, PAGE_H - MARGIN_Y - 20, _("Nobody is going yet."))
    pdf.save()
    return buffer.getvalue()


def _badge(pdf, x: float, y: float, *, event: Event, member, day: str, fonts) -> None:
    regular, bold = fonts
    # Cutting marks: a light dashed frame.
    pdf.saveState()
    pdf.setStrokeColorRGB(0.75, 0.75, 0.75)
    pdf.setDash(2, 2)
    pdf.setLineWidth(0.4)
    pdf.rect(x, y, BADGE_W, BADGE_H)
    pdf.restoreState()

    colour = event.series.colour if event.series else "#2456a6"
    pdf.setFillColor(colour)
    pdf.rect(x, y + BADGE_H - BAND_H, BADGE_W, BAND_H, stroke=0, fill=1)
    pdf.setFillColor(_text_on(colour))
    pdf.setFont(bold, 11)
    band_text = event.series.name if event.series else event.title
    pdf.drawString(
        x + PAD, y + BADGE_H - BAND_H + 3.2 * mm, _fit(band_text, bold, 11, BADGE_W - 2 * PAD)
    )

    top = y + BADGE_H - BAND_H - PAD
    _face(pdf, x + PAD, top - FACE, member, bold)

    name_x = x + PAD + FACE + 4 * mm
    name_w = x + BADGE_W - PAD - name_x
    pdf.setFillColorRGB(0.07, 0.07, 0.07)
    size = _name_size(str(member), bold, name_w)
    pdf.setFont(bold, size)
    pdf.drawString(name_x, top - size * 0.9, _fit(str(member), bold, size, name_w))
    line_y = top - size * 0.9 - 5.5 * mm
    pdf.setFont(regular, 8.5)
    pdf.setFillColorRGB(0.2, 0.2, 0.2)
    for line in handle_lines(member):
        pdf.drawString(name_x, line_y, _fit(line, regular, 8.5, name_w))
        line_y -= 4.2 * mm

    _qr(pdf, x + BADGE_W - PAD - QR_SIZE, y + PAD, door_url(event=event, member=member))
    pdf.setFont(regular, 7.5)
    pdf.setFillColorRGB(0.3, 0.3, 0.3)
    text_w = BADGE_W - 3 * PAD - QR_SIZE
    pdf.drawString(x + PAD, y + PAD + 4 * mm, _fit(event.title, regular, 7.5, text_w))
    pdf.drawString(x + PAD, y + PAD, _fit(day, regular, 7.5, text_w))


def _name_size(name: str, font: str, width: float) -> float:
    """From 24 pt down to 13 pt, the largest size at which the name fits on one line."""
    size = 24.0
    while size > 13 and pdfmetrics.stringWidth(name, font, size) > width:
        size -= 1
    return size


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis where it would overflow `width`."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on the band's colour (WCAG luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def _face(pdf, x: float, y: float, member, bold: str) -> None:
    """The photo in a circle, else the initials on the avatar colour the site uses."""
    photo = photo_of(member)
    image = _photo_image(photo) if photo else None
    pdf.saveState()
    path = pdf.beginPath()
    path.circle(x + FACE / 2, y + FACE / 2, FACE / 2)
    pdf.clipPath(path, stroke=0, fill=0)
    if image is not None:
        pdf.drawImage(ImageReader(image), x, y, FACE, FACE)
    else:
        pdf.setFillColor(avatar_colour(member))
        pdf.rect(x, y, FACE, FACE, stroke=0, fill=1)
        pdf.setFillColor("#ffffff")
        pdf.setFont(bold, 20)
        pdf.drawCentredString(x + FACE / 2, y + FACE / 2 - 7, member.initials)
    pdf.restoreState()


def _photo_image(photo: Photo) -> Image.Image | None:
    """The stored 256-pixel square (already re-encoded by the site), or None if it is gone."""
    try:
        with storages["default"].open(photo.file_name(max(Photo.SIZES))) as stored:
            image = Image.open(io.BytesIO(stored.read()))
            image.load()
    except OSError:
        return None
    return image.convert("RGB")


def _qr(pdf, x: float, y: float, url: str) -> None:
    """The QR code as vector squares, sharp at any printer resolution: one path of the dark
    runs of each row (a rectangle per module would be thousands per badge)."""
    matrix = segno.make(url, error="m").matrix
    border = 2
    cell = QR_SIZE / (len(matrix) + 2 * border)
    pdf.saveState()
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, QR_SIZE, QR_SIZE, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    path = pdf.beginPath()
    for r, row in enumerate(matrix):
        bottom = y + QR_SIZE - (r + border + 1) * cell
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A hair taller than the cell, so that no white seam shows between rows.
            path.rect(x + (start + border) * cell, bottom, (c - start) * cell, cell + 0.05)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()
