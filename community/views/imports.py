"""Contact imports: upload, preview, confirm, undo."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import imports
from community.forms import (
    ImportConfirmForm,
    ImportUploadForm,
    XAccountForm,
)
from community.models import ImportBatch


@login_required
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
            token = ImportConfirmForm.sign(
                member=request.user,
                payload={
                    "kind": preview.kind,
                    "filename": preview.filename,
                    "rows": preview.rows_read,
                    "ties": [[m.member.pk, m.network] for m in preview.matches],
                },
            )
            confirm = ImportConfirmForm(initial={"token": token}, member=request.user)
            ctx = {"preview": preview, "confirm_form": confirm}
            return render(request, "community/import_preview.html", ctx)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "x_form": XAccountForm()}
    return render(request, "community/import_form.html", ctx, status=status)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    form = ImportConfirmForm(request.POST, member=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest(_("This preview was tampered with or is too old."))
    payload = form.cleaned_data["token"]
    try:
        ties = [(int(to_id), str(net)) for to_id, net in payload["ties"]]
        kind = payload["kind"]
        if kind not in ImportBatch.Kind.values:
            raise ValueError(kind)
        batch = imports.confirm_import(
            member=request.user,
            kind=kind,
            filename=str(payload.get("filename", "")),
            rows_read=int(payload.get("rows", 0)),
            ties=ties,
        )
    except (KeyError, TypeError, ValueError):
        return HttpResponseBadRequest(_("This preview was tampered with or is too old."))
    count = batch.ties.count()
    messages.success(request, _("Import saved: %(count)s new ties.") % {"count": count})
    return redirect(request.user)


@login_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk, member=request.user)
    # The batch's ties go with it (ForeignKey on_delete=CASCADE).
    batch.delete()
    messages.success(request, _("Import undone."))
    return redirect(request.user)
