"""The event's people view: who knows whom among the attendees, and "we met"."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.models import User
from events.access import visible_event_or_404
from events.meetings import record_meeting
from events.people import event_people


class WeMetForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), to_field_name="username"
    )


def people(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(request, slug)
    ctx = {"event": event}
    ctx.update(event_people(event=event, viewer=request.user))
    if "svg" in ctx:
        # Built by graph_svg() from escaped names only.
        ctx["svg"] = mark_safe(ctx["svg"])  # noqa: S308
    return render(request, "events/people.html", ctx)


@login_required
@require_POST
def we_met(request: HttpRequest, slug: str) -> HttpResponse:
    event = visible_event_or_404(request, slug)
    form = WeMetForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose an attendee."))
    other = form.cleaned_data["member"]
    try:
        _meeting, created = record_meeting(event=event, by=request.user, other=other)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("events:people", slug=event.slug)
    if created:
        messages.success(request, _("Noted: you met %(name)s.") % {"name": other})
    return redirect("events:people", slug=event.slug)
