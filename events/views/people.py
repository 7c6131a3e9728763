"""The event's people view: who knows whom among the attendees, and "we met"."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.models import User
from events.access import visible_event_or_404
from events.meetings import meeting_candidates, record_meeting
from events.people import event_people


class WeMetForm(forms.Form):
    """Only attendees listed among those going can be chosen (see `events/meetings.py`)."""

    member = forms.ModelChoiceField(queryset=User.objects.none(), to_field_name="username")

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = meeting_candidates(event)


def people(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(request, slug)
    ctx = {"event": event}
    view = request.GET.get("graph", "")
    ctx.update(event_people(event=event, viewer=request.user, view=view, request=request))
    if "svg" in ctx:
        # Built by graph_svg() from escaped names only.
        ctx["svg"] = mark_safe(ctx["svg"])  # noqa: S308
    return render(request, "events/people.html", ctx)


@login_required
@require_POST
def we_met(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(request, slug)
    form = WeMetForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, _("Choose someone listed among the attendees of this event."))
        return redirect("events:people", slug=event.slug)
    other = form.cleaned_data["member"]
    try:
        _meeting, outcome = record_meeting(event=event, by=request.user, other=other)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("events:people", slug=event.slug)
    if outcome == "recorded":
        messages.success(
            request,
            _("Noted: you met %(name)s. It shows as confirmed once they say so too.")
            % {"name": other},
        )
    elif outcome == "confirmed":
        messages.success(request, _("Confirmed: you met %(name)s.") % {"name": other})
    return redirect("events:people", slug=event.slug)
