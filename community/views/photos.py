"""A member's profile photo: upload, replace, remove; and serving stored photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage, storages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.static import serve

from community import photos
from community.models import User


@login_required
def photo(request: HttpRequest) -> HttpResponse:
    member = User.objects.select_related("photo").get(pk=request.user.pk)
    form = photos.PhotoForm()
    if request.method == "POST" and "remove" in request.POST:
        if photos.remove_photo(member=member):
            messages.success(request, _("Your photo was removed."))
        return redirect("community:photo")
    if request.method == "POST":
        form = photos.PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            photos.set_photo(member=member, squares=form.cleaned_data["photo"])
            messages.success(request, _("Your photo was saved."))
            return redirect("community:photo")
    ctx = {"form": form, "member": member, "photo": photos.photo_of(member)}
    status = 400 if request.method == "POST" else 200
    return render(request, "community/photo_form.html", ctx, status=status)


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponse:
    """A stored photo from the filesystem storage. The URL only matches content-hash names,
    so the answer may be cached for ever; in production the reverse proxy serves MEDIA_URL
    from MEDIA_ROOT itself, and this view is the fallback."""
    response = serve(request, path, document_root=storages["default"].location)
    response["Cache-Control"] = photos.PHOTO_CACHE_CONTROL
    return response


def serves_media() -> bool:
    """Whether Django routes MEDIA_URL: only for the filesystem storage (a bucket serves its
    own files)."""
    return isinstance(storages["default"], FileSystemStorage)
