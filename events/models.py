import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.fetch import FetchError
from community.text import validate_multiline, validate_single_line

# Dates outside these years are typing slips (9999, 0001); refusing them keeps date arithmetic
# (the next day, the week's Monday) away from the limits of `datetime`.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# Up to this many seats left (or a tenth of the capacity), the page says "only N left".
FEW_SEATS = 5


def validate_sane_year(value: dt.date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="year_out_of_range",
        )


# Clash severity: lower bounds in percent of shared audience, worst first. Here so that both
# `ClashAcknowledgement` and `events.clashes` read them without importing each other.
SEVERITY_LEVELS = [(35, "high", _("high")), (15, "medium", _("medium")), (0, "low", _("low"))]


def severity_level(percent: int) -> tuple[str, str]:
    """`("high", "high")`: the CSS/key name and the translated label of a severity percent."""
    for floor, key, label in SEVERITY_LEVELS:
        if percent >= floor:
            return key, label
    return SEVERITY_LEVELS[-1][1], SEVERITY_LEVELS[-1][2]


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of `#rrggbb`."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio between two `#rrggbb` colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


INK, PAPER = "#1b1f24", "#ffffff"


class Series(models.Model):
    """A recurring event series such as Blog en Nord or Mercredi Web Analytics."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, validators=[validate_multiline])
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="organised_series",
        blank=True,
        verbose_name=_("organisers"),
    )
    preferred_weekday = models.PositiveSmallIntegerField(
        _("preferred weekday"), choices=Weekday, null=True, blank=True
    )
    home_city = models.CharField(
        _("home city"), max_length=80, blank=True, validators=[validate_single_line]
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#2456a6",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #2456a6."))],
    )
    # The organisers' choice to see "you can accept N more than capacity" in their workspace,
    # computed from the series' no-shows (`events.forecast`).
    overbooking_advice = models.BooleanField(
        _("suggest accepting more than capacity"),
        default=False,
        help_text=_(
            "From the no-shows of past editions checked in at the door, say how many RSVPs "
            "beyond capacity still fit in the room."
        ),
    )

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:series", args=[self.slug])

    def named_organisers(self):
        """The organisers a page may name: a deactivated member is named nowhere."""
        return self.organisers.filter(is_active=True).order_by("display_name")

    @property
    def colour_ink(self) -> str:
        """Text drawn on the series' colour: white, or the ink when white would not pass AA."""
        return PAPER if contrast_ratio(self.colour, PAPER) >= 4.5 else INK

    @property
    def colour_text(self) -> str:
        """The series' colour as text on white: darkened until it passes AA (4.5:1)."""
        r, g, b = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        colour = self.colour.lower()
        while contrast_ratio(colour, PAPER) < 4.5:
            r, g, b = (int(c * 0.9) for c in (r, g, b))
            colour = f"#{r:02x}{g:02x}{b:02x}"
        return colour


class SeriesLink(models.Model):
    """A group or page of a series elsewhere (Meetup group, LinkedIn page, blog…)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=120, validators=[validate_single_line])
    url = models.URLField(_("address"), max_length=500)

    class Meta:
        verbose_name = _("series link")
        verbose_name_plural = _("series links")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    address = models.CharField(_("address"), max_length=255, validators=[validate_single_line])
    city = models.CharField(_("city"), max_length=80, validators=[validate_single_line])

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["city", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def not_cancelled(self):
        """Published events and date holds: everything that takes a date."""
        return self.exclude(status=Event.Status.CANCELLED)

    def with_area(self):
        """Annotate `area`: the venue's city, else the series' home city, trimmed, lower-case."""
        return self.annotate(area=Lower(Trim(Coalesce("venue__city", "series__home_city"))))

    def in_area(self, city: str):
        """Events in `city` (the venue's city, or the series' home city without a venue)."""
        return self.with_area().filter(area=(city or "").strip().lower())

    def organised_by(self, member):
        """Events of the series the member organises (superusers are not organisers)."""
        return self.filter(series__organisers=member)

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now())

    def with_counts(self):
        # One small count per event through the (event, status, …) index, rather than a join
        # and GROUP BY that reads every RSVP ever made and multiplies with other joins.
        return self.annotate(
            going_count=RSVPCount(status=RSVP.Status.GOING),
            waitlist_count=RSVPCount(status=RSVP.Status.WAITLISTED),
        )


class RSVPCount(Subquery):
    """`(SELECT count(*) FROM events_rsvp WHERE event_id = <the event> AND status = …)`."""

    template = "(SELECT count(*) FROM (%(subquery)s) _rsvps)"
    output_field = models.IntegerField()

    def __init__(self, *, status: str):
        super().__init__(RSVP.objects.filter(event=OuterRef("pk"), status=status).values("pk"))


class Event(models.Model):
    class Status(models.TextChoices):
        HOLD = "hold", _("Date hold (organisers only)")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    start = models.DateTimeField(_("start"), validators=[validate_sane_year])
    end = models.DateTimeField(_("end"), validators=[validate_sane_year])
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("venue"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, validators=[validate_multiline])
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PUBLISHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The organisers' cover picture, stored re-encoded under names made of this content hash
    # (see events/pictures.py); empty without one.
    cover_digest = models.CharField(max_length=16, blank=True, editable=False)
    # The last share image drawn for the event, deleted when a newer one replaces it.
    share_image = models.CharField(max_length=100, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="events_event_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="events_event_capacity_positive",
            ),
            ExclusionConstraint(
                name="events_event_no_venue_overlap",
                expressions=[
                    ("venue", RangeOperators.EQUAL),
                    (TsTzRange("start", "end"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="cancelled"),
                violation_error_code="venue_taken",
                violation_error_message=_("This venue is already booked at these times."),
            ),
        ]
        indexes = [
            # `/`, the calendar feeds and the clash checks list events by status and date.
            models.Index(fields=["status", "start"], name="events_event_status_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self.unique_slug()
        if kwargs.get("update_fields") is None and not self._state.adding:
            # `share_image` is written by events/pictures.py alone: saving an instance loaded
            # before it was drawn must not put back an older name (whose file is gone).
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in deferred and f.name != "share_image"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    def clean(self) -> None:
        # Checked here so the form shows it on the field: the range expression of the
        # exclusion constraint raises a DataError on an inverted range before the check runs.
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})
        self.validate_capacity()

    def validate_capacity(self) -> None:
        """A capacity below the number of members going is refused: their seats are theirs."""
        if self.pk is None or self.capacity is None:
            return
        going = self.rsvps.going().count()
        if self.capacity < going:
            message = ngettext(
                "%(count)s person is going: the capacity cannot go below that.",
                "%(count)s people are going: the capacity cannot go below that.",
                going,
            ) % {"count": going}
            raise ValidationError({"capacity": ValidationError(message, code="below_going")})

    def unique_slug(self) -> str:
        """`title-yyyy-mm-dd`, with a counter when two events share both."""
        day = timezone.localtime(self.start).date() if self.start else timezone.localdate()
        base = f"{slugify(self.title)[:150] or 'evenement'}-{day:%Y-%m-%d}"
        slug, n = base, 2
        while Event.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_hold(self) -> bool:
        return self.status == self.Status.HOLD

    def seats_left(self, going_count: int) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - going_count, 0)

    def seats_in_words(self, going_count: int) -> str:
        """The seats as a person says them: "Full — waitlist open", "Only 3 seats left",
        "43 people came" once it is over; never "0 seats left out of 75"."""
        if self.is_past:
            return ngettext("%(count)s person came", "%(count)s people came", going_count) % {
                "count": going_count
            }
        if self.is_cancelled:
            return str(_("Cancelled"))
        left = self.seats_left(going_count)
        if left is None:
            return str(_("No seat limit"))
        if left == 0:
            return str(_("Full — waitlist open"))
        if left <= max(FEW_SEATS, self.capacity // 10):
            return ngettext("Only %(count)s seat left", "Only %(count)s seats left", left) % {
                "count": left
            }
        return ngettext("%(count)s seat left", "%(count)s seats left", left) % {"count": left}

    @property
    def picture_url(self) -> str:
        """The event's picture for cards: the organisers' cover, else the drawn share image.
        Uses the `going_count` of `with_counts()` when present (the share image shows seats)."""
        from events import pictures  # here: pictures reads this module

        return pictures.picture_url(self)

    @property
    def free_seats(self) -> int | None:
        """`seats_left()` from the `going_count` that `with_counts()` annotates (for lists)."""
        return self.seats_left(self.going_count)


class EventLink(models.Model):
    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        RECAP = "recap", _("Recap")
        PHOTOS = "photos", _("Photos")
        VIDEO = "video", _("Video")
        OTHER = "other", _("Link")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.RECAP)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    url = models.URLField(_("address"), max_length=500)

    class Meta:
        verbose_name = _("event link")
        verbose_name_plural = _("event links")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class RSVPQuerySet(models.QuerySet):
    def going(self):
        return self.filter(status=RSVP.Status.GOING)

    def waitlisted(self):
        return self.filter(status=RSVP.Status.WAITLISTED)

    def active(self):
        """Going or waiting: the members an event concerns."""
        return self.filter(status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED])

    def attended(self, *, within: dt.timedelta | None = None, now=None):
        """Going to a published event that is over, optionally ended within `within`."""
        now = now or timezone.now()
        rsvps = self.filter(
            status=RSVP.Status.GOING,
            event__status=Event.Status.PUBLISHED,
            event__end__lt=now,
        )
        if within is not None:
            rsvps = rsvps.filter(event__end__gte=now - within)
        return rsvps

    def present(self):
        """Not a no-show: checked in at the door, or at an event where nobody was checked in
        (check-in was not used there, so an empty `arrived_at` says nothing)."""
        checked_in = RSVP.objects.filter(event=OuterRef("event"), arrived_at__isnull=False)
        return self.filter(Q(arrived_at__isnull=False) | ~Exists(checked_in))

    def listed(self):
        """RSVPs of members who let others see them among attendees."""
        return self.filter(member__listed_in_attendees=True, member__is_active=True)


class RSVP(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITLISTED = "waitlisted", _("On the waitlist")
        DECLINED = "declined", _("Not going")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the member took their current status: the waitlist is served in this order.
    status_changed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set at the door when the member is checked in; empty for a no-show (or an unchecked event).
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="events_rsvp_one_per_member"),
        ]
        indexes = [
            # Seat counts and the waitlist order: WHERE event = ? AND status = ? ORDER BY changed.
            models.Index(
                fields=["event", "status", "status_changed_at"], name="events_rsvp_event_status"
            ),
            # "My events" and "events attended" on profiles.
            models.Index(fields=["member", "status"], name="events_rsvp_member_status"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.event} ({self.status})"

    @property
    def is_going(self) -> bool:
        return self.status == self.Status.GOING

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED


class Meeting(models.Model):
    """Two attendees met in real life at an event, stored once per pair (member_a < member_b)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    member_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    member_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the other member says "we met" too: until then it is one side's word only.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member_a", "member_b"], name="events_meeting_once_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(member_a__lt=F("member_b")), name="events_meeting_ordered_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["member_b", "member_a"], name="events_meeting_reverse"),
        ]

    def __str__(self) -> str:
        return f"{self.member_a} & {self.member_b} @ {self.event}"


class ClashAcknowledgement(models.Model):
    """An organiser confirmed "publish anyway" despite a clash with another event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="clash_acks")
    other_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    severity = models.PositiveSmallIntegerField(_("severity"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clash acknowledgement")
        verbose_name_plural = _("clash acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "other_event"], name="events_clashack_once_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} ↔ {self.other_event}"

    @property
    def level(self) -> str:
        """`low`, `medium` or `high`, from the severity recorded when it was confirmed."""
        return severity_level(self.severity)[0]

    @property
    def level_label(self) -> str:
        return severity_level(self.severity)[1]


class Reminder(models.Model):
    """A reminder sent to a member for one start of an event: the ledger that makes each go
    out once, whatever the number of workers or scheduled jobs. An event that moves has a new
    start, so its members are reminded again at the new date."""

    class Kind(models.TextChoices):
        GOING = "going", _("Reminder to attendees")
        WAITLISTED = "waitlisted", _("Note to the waitlist")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    event_start = models.DateTimeField(_("event start"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member", "kind", "event_start"],
                name="events_reminder_once_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.event} ({self.kind})"


class Guest(models.Model):
    """Someone without an account let in at the door, by name: counted among the arrivals."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    arrived_at = models.DateTimeField(_("arrived at"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["arrived_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.event}"


class RivalFeedQuerySet(models.QuerySet):
    def with_event_counts(self):
        return self.annotate(event_count=models.Count("events"))


class RivalFeed(models.Model):
    """An iCalendar feed of another event source in the region (a meetup, a venue, a
    conference), fetched regularly so that organisers see the evenings it takes.

    `problem` says why the last fetch failed (a `FetchError.Reason` or a `Problem`); the
    events of the last good fetch stay meanwhile."""

    class Problem(models.TextChoices):
        MALFORMED = "malformed", _("The file is not a readable iCalendar feed.")
        TOO_MANY = "too_many", _("The feed has too many events; only the first were kept.")

    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    url = models.URLField(_("iCalendar address"), max_length=500, unique=True)
    city = models.CharField(
        _("city"),
        max_length=80,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Where its events take place when their address names no city we know."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=20, blank=True)
    # Sent back as If-None-Match / If-Modified-Since: an unchanged feed costs a 304.
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    objects = RivalFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("other calendar")
        verbose_name_plural = _("other calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def problem_label(self) -> str:
        for choices in (RivalFeed.Problem, FetchError.Reason):
            if self.problem in choices.values:
                return choices(self.problem).label
        return ""


class ExternalEvent(models.Model):
    """An event of a `RivalFeed`, as its last good fetch described it."""

    feed = models.ForeignKey(RivalFeed, on_delete=models.CASCADE, related_name="events")
    uid = models.CharField(max_length=255)
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    # Lower-case city, compared like `Event.objects.with_area()`.
    area = models.CharField(max_length=80, blank=True)
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = _("external event")
        verbose_name_plural = _("external events")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "uid"], name="events_externalevent_one_per_uid"
            ),
        ]
        indexes = [
            # Clash warnings and the shared calendar look up a day window in one area.
            models.Index(fields=["area", "start"], name="events_external_area_start"),
        ]

    def __str__(self) -> str:
        return self.title


class RecapQuerySet(models.QuerySet):
    def visible(self):
        """Recaps shown on the event page: not hidden by an organiser, newest first."""
        return self.filter(hidden=False).order_by("-published", "-received_at")


class Recap(models.Model):
    """A blog post about an event, received as a Webmention (its source links to the event)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="recaps")
    source = models.URLField(max_length=500)
    title = models.CharField(_("title"), max_length=200, blank=True)
    author_name = models.CharField(max_length=120, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    # The member whose verified blog or website published it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)  # sanitised HTML
    received_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(_("hidden"), default=False)

    objects = RecapQuerySet.as_manager()

    class Meta:
        verbose_name = _("recap")
        verbose_name_plural = _("recaps")
        ordering = ["-published", "-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "source"], name="events_recap_one_per_source"),
        ]

    def __str__(self) -> str:
        return self.title or self.source

    @property
    def linked_author(self):
        """The member to link the recap to: the verified blog's owner, unless they left or
        asked not to appear among attendees (a recap says they were there)."""
        author = self.author
        if author is None or not author.is_active or not author.listed_in_attendees:
            return None
        return author
