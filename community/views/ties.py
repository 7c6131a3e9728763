"""A member's online identities, ties and privacy settings."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import imports, verification
from community.forms import (
    IdentityForm,
    ImportUploadForm,
    PrivacyForm,
    TieForm,
    XAccountForm,
)
from community.models import Identity, Tie, User

RECHECK_AFTER = dt.timedelta(minutes=1)


def _active_member(username: str) -> User:
    return get_object_or_404(User.objects.filter(is_active=True), username=username)


@login_required
def identity_add(request: HttpRequest) -> HttpResponse:
    form = IdentityForm(request.POST or None, member=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                identity = Identity.objects.create(
                    member=request.user,
                    network=data["network"],
                    handle=data["handle"],
                    url=data["url"],
                )
                verification.request_check(identity)
        except IntegrityError:
            # The same claim sent twice at once.
            form.add_error("value", _("You have already added this identity."))
        else:
            messages.success(request, _("Identity added."))
            return redirect(request.user)
    status = 400 if request.method == "POST" else 200
    return render(request, "community/identity_form.html", {"form": form}, status=status)


@login_required
@require_POST
def identity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    identity = get_object_or_404(Identity, pk=pk, member=request.user)
    identity.delete()
    messages.success(request, _("Identity removed."))
    return redirect(request.user)


@login_required
@require_POST
def identity_check(request: HttpRequest, pk: int) -> HttpResponse:
    identity = get_object_or_404(Identity, pk=pk, member=request.user)
    if identity.network not in verification.VERIFIABLE_NETWORKS:
        messages.error(request, Identity.Problem.NOT_CHECKABLE.label)
    elif identity.checked_at and timezone.now() - identity.checked_at < RECHECK_AFTER:
        # Each check fetches a page from outside: not more than once a minute.
        messages.error(request, _("This identity was checked less than a minute ago."))
    else:
        verification.request_check(identity)
        messages.success(request, _("We are checking %(handle)s.") % {"handle": identity.handle})
    return redirect(request.user)


@login_required
@require_POST
def tie_add(request: HttpRequest, username: str) -> HttpResponse:
    other = _active_member(username)
    if other.pk == request.user.pk:
        return HttpResponseBadRequest(_("You cannot tie yourself."))
    form = TieForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a network from the list."))
    Tie.objects.get_or_create(
        from_member=request.user,
        to_member=other,
        network=form.cleaned_data["network"],
        defaults={"source": Tie.Source.DECLARED},
    )
    messages.success(request, _("Noted: you know %(name)s online.") % {"name": other})
    return redirect(other)


@login_required
@require_POST
def tie_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tie = get_object_or_404(
        Tie.objects.select_related("to_member"), pk=pk, from_member=request.user
    )
    tie.delete()
    messages.success(request, _("Tie removed."))
    return redirect(tie.to_member if request.POST.get("back") == "member" else request.user)


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    form = PrivacyForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Privacy settings saved."))
        return redirect(request.user)
    return render(request, "community/privacy.html", {"form": form})


@login_required
@require_POST
def x_account(request: HttpRequest) -> HttpResponse:
    form = XAccountForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            identity = imports.prove_x_account(
                member=request.user, data=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                _(
                    "Others' X archives will now find you as @%(handle)s. An X account "
                    "cannot be verified: it stays marked as not verified."
                )
                % {"handle": identity.handle},
            )
            return redirect(request.user)
    ctx = {"form": ImportUploadForm(), "x_form": form}
    return render(request, "community/import_form.html", ctx, status=400)
