from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Series, Venue


class EventFilterForm(forms.Form):
    """The filters above the list of upcoming events; unknown values are simply ignored."""

    # Plain choices, read once each: the home page keys its cached listing on them.
    series = forms.ChoiceField(label=_("Series"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        series = Series.objects.order_by("name").values_list("slug", "name")
        self.fields["series"].choices = [("", _("All series")), *series]
        cities = Venue.objects.order_by("city").values_list("city", flat=True).distinct()
        self.fields["city"].choices = [("", _("All cities"))] + [(c, c) for c in cities]

    def filter(self, events):
        if not self.is_valid():
            return events
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
