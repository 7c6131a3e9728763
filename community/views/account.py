"""A member's own account: the « Mon compte » page, a copy of their data, deleting the account.

The account page gathers what a member sets about themselves, and edits the profile in place;
the rest links to its own page. A copy of the data and deleting the account ask for the
password (or the second factor) again, through allauth's reauthentication: an open session
left on a shared computer must not be enough to take away or destroy someone's data.
"""

from allauth.account.decorators import reauthentication_required
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from community import privacy
from community.forms import ProfileForm
from community.mfa import has_second_factor
from community.models import EmailKind, User


@login_required
def account(request: HttpRequest) -> HttpResponse:
    member = User.objects.select_related("photo").get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("community:account")
    authenticators = list(Authenticator.objects.filter(user=member).order_by("created_at"))
    kinds = {a.type for a in authenticators}
    ctx = {
        "form": form,
        "member": member,
        "identities": list(member.identities.all()),
        "import_batches": list(member.import_batches.annotate(tie_count=Count("ties"))),
        "emails_on": [kind.label for kind in EmailKind if member.wants_email(kind)],
        "emails_off": [kind.label for kind in EmailKind if not member.wants_email(kind)],
        "addresses": list(EmailAddress.objects.filter(user=member).order_by("-primary", "email")),
        "totp": Authenticator.Type.TOTP in kinds,
        "recovery_codes": Authenticator.Type.RECOVERY_CODES in kinds,
        "passkeys": [a for a in authenticators if a.type == Authenticator.Type.WEBAUTHN],
        "has_second_factor": has_second_factor(member),
        "needs_second_factor": member.is_staff or member.organised_series.exists(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "community/account.html", ctx, status=status)


class AccountDeleteForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("Your email address, to confirm"), max_length=254)

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.member.email.lower():
            raise forms.ValidationError(
                _("This is not the email address of your account."), code="mismatch"
            )
        return email


@never_cache
@login_required
@reauthentication_required
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        response = HttpResponse(
            privacy.export_zip(member=request.user), content_type="application/zip"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"rencontres-{request.user.username}.zip"
        )
        return response
    return render(request, "community/data_export.html")


@never_cache
@login_required
@reauthentication_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, member=request.user)
    reasons = privacy.blockers(member=request.user)
    if request.method == "POST" and not reasons and form.is_valid():
        try:
            privacy.erase(member=request.user)
        except privacy.ErasureRefused as refused:
            reasons = refused.reasons  # became the only organiser since the page was shown
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted. A confirmation is on its way to you.")
            )
            return redirect("events:home")
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "reasons": reasons}
    return render(request, "community/account_delete.html", ctx, status=status)
