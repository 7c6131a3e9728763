"""`{{ event.start|short_date }}` → « jeu. 17 déc. », "Thu 17 Dec"; `short_datetime` adds the time.

The formats are translations (as Django's own DATE_FORMAT is), so each language writes its
dates its own way; values are shown in the current time zone (Europe/Paris).
"""

from django import template
from django.template.defaultfilters import date
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def short_date(value) -> str:
    # Translators: a format of the date filter (Django docs, "date"): "Thu 17 Dec".
    return date(value, pgettext("short date format", "D j M"))


@register.filter
def short_datetime(value) -> str:
    # Translators: a format of the date filter (Django docs, "date"): "Thu 17 Dec, 19:00".
    return date(value, pgettext("short date and time format", "D j M, H:i"))
