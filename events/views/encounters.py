"""« Mes rencontres »: whom a member met at the events they attended."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from events.encounters import DEFAULT_PERIOD, member_encounters
from events.forms import EncountersPeriodForm


@login_required
def my_encounters(request: HttpRequest) -> HttpResponse:
    form = EncountersPeriodForm(request.GET if "period" in request.GET else None)
    # An unknown period shows its error on the form, over the default period.
    period = form.cleaned_data["period"] if form.is_valid() else DEFAULT_PERIOD
    ctx = {
        "form": form,
        "period": period,
        **member_encounters(member=request.user, period=period),
    }
    return render(request, "events/encounters.html", ctx)
