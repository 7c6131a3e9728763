"""Rules for text typed by visitors: no control characters where they would break a page,
an email header or a calendar line. One home, used by model fields and forms alike."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls and DEL. Single-line values (titles, names, cities) refuse them all;
# multi-line values (descriptions, bios) keep tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_single_line(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise ValidationError(
            _("Line breaks and control characters are not allowed here."),
            code="control_characters",
        )


def validate_multiline(value: str) -> None:
    if _CONTROL_BUT_LINES.search(value or ""):
        raise ValidationError(
            _("Control characters are not allowed here."), code="control_characters"
        )


def has_control_characters(value: str) -> bool:
    """For values that are not form input (query strings, paths, file contents)."""
    return bool(_CONTROL.search(value or ""))


def without_control_characters(value: str, *, keep_lines: bool = False) -> str:
    """For text written out where a control character would break the format (a calendar
    line): each run of them becomes one space; `keep_lines` keeps tab and line breaks."""
    pattern = _CONTROL_BUT_LINES if keep_lines else _CONTROL
    return re.sub(rf" *(?:{pattern.pattern})+ *", " ", value or "").strip()
