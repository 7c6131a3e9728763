"""Forms: the filters of `/`, RSVP buttons, and the organiser pages (events, holds, calendar)."""

import datetime as dt
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from community import photos
from community.models import User
from community.text import validate_single_line
from events import encounters
from events.access import organised_series
from events.clashes import Clash, ExternalClash, find_clashes, find_external_clashes
from events.models import Event, RivalFeed, Series, Venue, validate_sane_year
from events.pictures import encode_cover, remove_cover, set_cover

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClashCheckMixin:
    """Lists clashes in `clean()`; saving with clashes not yet acknowledged needs
    `publish_anyway`."""

    clashes: list[Clash]
    # Evenings of other calendars: shown as a warning, nobody to confirm to.
    external_clashes: list[ExternalClash] = []

    def check_clashes(
        self, *, event: Event, start, end, city, acknowledged=(), date_changed: bool = True
    ) -> None:
        self.clashes = find_clashes(
            start=start, end=end, city=city, series=event.series, exclude_event=event
        )
        self.external_clashes = find_external_clashes(
            start=start, end=end, city=city, series=event.series
        )
        new = [c for c in self.clashes if c.other.pk not in set(acknowledged)]
        # An evening of another calendar has no organiser here to tell: it is confirmed each
        # time a date is chosen, not stored.
        if self.external_clashes and date_changed:
            new.extend(self.external_clashes)
        if new and not self.cleaned_data.get("publish_anyway"):
            self.add_error(
                "publish_anyway",
                _(
                    "This date clashes with the events listed above. Tick “publish "
                    "anyway” to confirm; their organisers will see your confirmation."
                ),
            )


class ClashPreviewForm(forms.Form):
    """The dates and venue typed so far on the event form, for the clash preview
    (events/views/organise.py `clash_preview`); saving still checks on the server."""

    start = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_sane_year])
    end = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_sane_year])
    venue = forms.ModelChoiceField(queryset=Venue.objects.all(), required=False)
    event = forms.SlugField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError(_("The end must be after the start."))
        return data


class EventForm(ClashCheckMixin, forms.ModelForm):
    cover = forms.FileField(
        label=_("Cover picture"),
        required=False,
        help_text=_(
            "Optional. JPEG, PNG or WebP, at most 5 MB; cut to the 1200 × 630 shape of link "
            "previews around its centre. Without one, the site draws a picture in the "
            "series' colour."
        ),
        widget=forms.FileInput(attrs={"accept": photos.PHOTO_CONTENT_TYPES}),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover picture"), required=False)
    publish_anyway = forms.BooleanField(
        label=_("Publish anyway, despite the clashes"), required=False
    )

    class Meta:
        model = Event
        fields = ["title", "status", "start", "end", "venue", "capacity", "description"]
        widgets = {"start": DATETIME_INPUT, "end": DATETIME_INPUT}
        help_texts = {
            "start": _("Paris time."),
            "end": _("Paris time; may be after midnight."),
            "capacity": _("Leave empty for no limit."),
        }

    def __init__(self, *args, series: Series, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series
        self.instance.series = series
        self.clashes = []
        for name in ("start", "end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            # Also on the form field, so clean() never computes clashes around year 9999.
            self.fields[name].validators.append(validate_sane_year)
        self.fields["venue"].queryset = Venue.objects.order_by("city", "name")
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].validators.append(MinValueValidator(1))
        self.fields["capacity"].widget.attrs["min"] = 1
        if not self.instance.cover_digest:
            del self.fields["remove_cover"]
        if self.instance.pk and not self.instance.is_hold:
            # A published event is not turned back into a hold: members may have registered.
            del self.fields["status"]
        else:
            self.fields["status"].choices = [
                (Event.Status.HOLD, _("Date hold (organisers only)")),
                (Event.Status.PUBLISHED, _("Published")),
            ]
            self.fields["status"].label = _("Publish now or hold the date")

    def clean_cover(self) -> dict[int, bytes] | None:
        """The cover re-encoded like a member's photo, by width (None: no new cover)."""
        upload = self.cleaned_data.get("cover")
        if not upload:
            return None
        if upload.size > photos.PHOTO_MAX_BYTES:
            raise ValidationError(_("This file is larger than 5 MB."), code="too_big")
        return encode_cover(upload.read(photos.PHOTO_MAX_BYTES + 1))

    def save_cover(self, event: Event) -> None:
        """After the event is saved: store the new cover, or remove the old one."""
        if self.cleaned_data.get("cover"):
            set_cover(event=event, pictures=self.cleaned_data["cover"])
        elif self.cleaned_data.get("remove_cover"):
            remove_cover(event=event)

    def clean(self):
        data = super().clean()
        start, end, venue = data.get("start"), data.get("end"), data.get("venue")
        if start and end and end <= start:
            return data  # Event.clean() reports it on the end field.
        if start and end:
            acknowledged = (
                self.instance.clash_acks.values_list("other_event", flat=True)
                if self.instance.pk
                else ()
            )
            self.check_clashes(
                event=self.instance,
                start=start,
                end=end,
                city=venue.city if venue else self.series.home_city,
                acknowledged=list(acknowledged),
                date_changed=not self.instance.pk
                or bool({"start", "end", "venue"} & set(self.changed_data)),
            )
        return data

    def validate_constraints(self) -> None:
        exclude = self._get_validation_exclusions()
        if "status" not in self.fields:
            # An edited published event keeps its status, and the venue rule depends on it.
            exclude.discard("status")
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self.add_save_error(error)

    def add_save_error(self, error: ValidationError) -> None:
        """Show a model or database refusal on the form. The venue-overlap rule lives in the
        database constraint `events_event_no_venue_overlap`; this is the one place its
        violation — found before saving, or raised when the venue was booked meanwhile —
        becomes an error on the venue field."""
        if hasattr(error, "error_dict"):
            for item in error.error_dict.pop(NON_FIELD_ERRORS, []):
                self.add_error("venue" if item.code == "venue_taken" else None, item)
        if not hasattr(error, "error_dict") or error.error_dict:
            self.add_error(None, error)


class PublishHoldForm(ClashCheckMixin, forms.Form):
    publish_anyway = forms.BooleanField(
        label=_("Publish anyway, despite the clashes"), required=False
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.clashes = []
        if not self.is_bound:
            # Shown before the organiser confirms.
            args = self.clash_args()
            self.clashes = find_clashes(**args)
            args.pop("exclude_event")
            self.external_clashes = find_external_clashes(**args)

    def clash_args(self) -> dict:
        event = self.event
        return {
            "start": event.start,
            "end": event.end,
            "city": event.venue.city if event.venue else event.series.home_city,
            "series": event.series,
            "exclude_event": event,
        }

    def clean(self):
        data = super().clean()
        args = self.clash_args()
        self.check_clashes(
            event=self.event,
            start=args["start"],
            end=args["end"],
            city=args["city"],
            acknowledged=list(self.event.clash_acks.values_list("other_event", flat=True)),
        )
        return data


class AddOrganiserForm(forms.Form):
    who = forms.CharField(
        label=_("Username or email of the new organiser"),
        max_length=254,
        validators=[validate_single_line],
    )

    def __init__(self, *args, series: Series, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series

    def clean_who(self) -> User:
        who = self.cleaned_data["who"].strip()
        user = User.objects.filter(Q(username__iexact=who) | Q(email__iexact=who)).first()
        if user is None:
            raise forms.ValidationError(_("No member with this username or email."))
        if organised_series(user).filter(pk=self.series.pk).exists():
            raise forms.ValidationError(_("This member already organises the series."))
        return user


class EncountersPeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=list(encounters.PERIODS.items()))


class OverbookingForm(forms.ModelForm):
    class Meta:
        model = Series
        fields = ["overbooking_advice"]


class MonthForm(forms.Form):
    month = forms.DateField(
        input_formats=["%Y-%m"], required=False, validators=[validate_sane_year]
    )

    def clean_month(self) -> dt.date | None:
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else None


class DayForm(forms.Form):
    """`?day=2027-06-03` on the new-event page, from a free date: pre-fills an evening."""

    day = forms.DateField(input_formats=["%Y-%m-%d"], validators=[validate_sane_year])

    def initial_times(self) -> dict:
        if not self.is_valid():
            return {}
        day = self.cleaned_data["day"]
        return {
            "start": dt.datetime.combine(day, dt.time(19)),
            "end": dt.datetime.combine(day, dt.time(22)),
        }


class FreeDatesForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=20, required=False)


class EventFilterForm(forms.Form):
    """The filters above the list of upcoming events.

    An unknown value is an error shown beside its field, and lists nothing: a mistyped or
    outdated link must not silently show every event.
    """

    series = forms.ChoiceField(
        label=_("Series"),
        required=False,
        error_messages={"invalid_choice": _("There is no series “%(value)s”.")},
    )
    city = forms.ChoiceField(
        label=_("City"),
        required=False,
        error_messages={"invalid_choice": _("No upcoming event in “%(value)s”.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        series = Series.objects.order_by("name").values_list("slug", "name")
        self.fields["series"].choices = [("", _("All series")), *series]
        cities = (
            Event.objects.published()
            .upcoming()
            .filter(venue__isnull=False)
            .order_by("venue__city")
            .values_list("venue__city", flat=True)
            .distinct()
        )
        self.fields["city"].choices = [("", _("All cities"))] + [(c, c) for c in cities]

    def filter(self, events):
        if not self.is_bound:
            return events
        if not self.is_valid():
            return events.none()
        if series := self.cleaned_data["series"]:
            events = events.filter(series__slug=series)
        if city := self.cleaned_data["city"]:
            events = events.filter(venue__city=city)
        return events


class RSVPForm(forms.Form):
    """The buttons on an event page: each posts one `answer`."""

    GOING = "going"
    DECLINED = "declined"
    CANCEL = "cancel"

    answer = forms.ChoiceField(
        choices=[(GOING, _("Going")), (DECLINED, _("Not going")), (CANCEL, _("Cancel my RSVP"))]
    )


class CheckInSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a member"), max_length=100, required=False, validators=[validate_single_line]
    )

    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class ArrivalForm(forms.Form):
    ARRIVED, UNDO = "arrived", "undo"
    action = forms.ChoiceField(choices=[(ARRIVED, ARRIVED), (UNDO, UNDO)])


class WalkInForm(forms.Form):
    member = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))


class GuestForm(forms.Form):
    name = forms.CharField(
        label=_("Guest's name"), max_length=120, validators=[validate_single_line]
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Type the guest's name."), code="required")
        return name


class RivalFeedForm(forms.ModelForm):
    url = forms.CharField(
        label=_("iCalendar address"),
        max_length=500,
        help_text=_("The .ics address the other source publishes (webcal:// works too)."),
    )

    class Meta:
        model = RivalFeed
        fields = ["name", "url", "city"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url.lower().startswith("webcal://"):
            # Calendar apps' spelling of an https address.
            url = "https://" + url[len("webcal://") :]
        URLValidator(
            schemes=["http", "https"],
            message=_("Enter the http or https address of an iCalendar feed."),
        )(url)
        if RivalFeed.objects.filter(url=url).exists():
            raise forms.ValidationError(_("This calendar is already in the list."))
        return url


class WebmentionForm(forms.Form):
    """`source` and `target` of a Webmention; `target` must be one of our event pages."""

    source = forms.CharField(max_length=500)
    target = forms.CharField(max_length=500)

    def __init__(self, *args, hosts: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.hosts = hosts

    def clean_source(self) -> str:
        url = self.cleaned_data["source"].strip()
        URLValidator(
            schemes=["http", "https"], message=_("The source is not an http or https address.")
        )(url)
        return url

    def clean_target(self) -> str:
        # Checked against our own pages in clean(): our host name may be a bare one.
        return self.cleaned_data["target"].strip()

    def clean(self):
        data = super().clean()
        source, target = data.get("source"), data.get("target")
        if not source or not target:
            return data
        if source == target:
            raise forms.ValidationError(_("The source and the target are the same page."))
        parts = urlsplit(target)
        event = None
        if parts.scheme in ("http", "https") and parts.netloc.lower() in self.hosts:
            try:
                match = resolve(parts.path)
            except Resolver404:
                match = None
            if match is not None and match.view_name == "events:detail":
                event = Event.objects.published().filter(slug=match.kwargs["slug"]).first()
        if event is None:
            raise forms.ValidationError(_("The target is not an event page of this site."))
        data["event"] = event
        return data
