"""Contact imports: upload, preview, confirm, undo.

Uploading and confirming ask for the password (or the second factor) again, through allauth's
reauthentication: an import writes many ties at once in the member's name.
"""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from community import imports
from community.forms import (
    ImportConfirmForm,
    ImportUploadForm,
    XAccountForm,
)
from community.models import ImportBatch


@login_required
@reauthentication_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = imports.preview_import(
                member=request.user,
                kind=form.cleaned_data["kind"],
                data=upload.read(),
                filename=upload.name,
                network=form.cleaned_data["network"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            token = imports.sign_token(member=request.user, preview=preview)
            confirm = ImportConfirmForm(initial={"token": token}, member=request.user)
            ctx = {"preview": preview, "confirm_form": confirm}
            return render(request, "community/import_preview.html", ctx)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "x_form": XAccountForm()}
    return render(request, "community/import_form.html", ctx, status=status)


@login_required
@require_POST
@reauthentication_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    form = ImportConfirmForm(request.POST, member=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors.get("token", [])))
    try:
        batch = imports.confirm_import(member=request.user, confirmation=form.cleaned_data["token"])
    except ValidationError as error:
        # A second click, or the back button after an undo: the member's imports are as they were.
        messages.warning(request, " ".join(error.messages))
        return redirect(request.user)
    count = batch.ties.count()
    messages.success(
        request,
        ngettext("Import saved: %(count)s new tie.", "Import saved: %(count)s new ties.", count)
        % {"count": count},
    )
    return redirect(request.user)


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk, member=request.user)
    count = batch.ties.count()
    if request.method == "POST":
        # The batch's ties go with it (ForeignKey on_delete=CASCADE).
        batch.delete()
        messages.success(
            request,
            ngettext(
                "Import undone: %(count)s tie removed.",
                "Import undone: %(count)s ties removed.",
                count,
            )
            % {"count": count},
        )
        return redirect(request.user)
    return render(request, "community/import_undo.html", {"batch": batch, "count": count})
