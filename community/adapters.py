"""allauth, the Rencontres way: account emails go through `community.mail` like every other
email (the member's language, plain-text subjects, sent on commit), and their links start with
SITE_URL rather than with the Sites framework's domain or the host a request came in on."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from django.utils import translation

from community import usernames
from community.mail import absolute_url, send_mail, site_host
from community.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        ctx = {"email": email, **context, "current_site": public_site()}
        # allauth builds its links (confirm, reset, sign up) from the request: keep the path.
        for key, value in ctx.items():
            if key.endswith("_url") and isinstance(value, str):
                ctx[key] = on_public_site(value)
        member = _member_for(email, ctx.get("user"))
        if member is None:
            send_mail([email], template_prefix=template_prefix, context=ctx)
        elif member.email.lower() == email.lower():
            send_mail([member], template_prefix=template_prefix, context=ctx)
        else:
            # A new address being confirmed, or an old one told of the change: the member's
            # language, at that address.
            with translation.override(member.language):
                send_mail([email], template_prefix=template_prefix, context=ctx)

    def send_account_already_exists_mail(self, email: str) -> None:
        # Signing up with a registered address must cost what creating an account costs, or
        # the response time tells who is registered: hash the submitted password as
        # `save_user` would have (and throw the hash away). The email itself takes the same
        # queued path as the confirmation a new member gets.
        request = self.request
        password = request.POST.get("password1") if request is not None else None
        if password:
            make_password(password)
        super().send_account_already_exists_mail(email)

    def save_user(self, request, user, form, commit=True):
        # Whoever signs up in English gets their confirmation, and later mail, in English.
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        # Known before `populate_username`, which makes a username from it when none was given.
        user.display_name = form.cleaned_data.get("display_name", "")
        return super().save_user(request, user, form, commit=commit)

    def populate_username(self, request, user) -> None:
        # From the display name, never from the email address (allauth's default).
        if not user.username:
            user.username = usernames.suggest(user.display_name)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        if shallow:
            return super().clean_username(username, shallow=True)
        # Typed "Camille ": the profile address is /members/camille/.
        return usernames.check(usernames.normalise(username))


def public_site() -> Site:
    """What allauth's templates call `current_site`, named after SITE_URL (never saved)."""
    return Site(id=settings.SITE_ID, domain=site_host(), name="Rencontres")


def on_public_site(url: str) -> str:
    bits = urlsplit(url)
    if not bits.scheme:
        return url
    return absolute_url(bits.path + (f"?{bits.query}" if bits.query else ""))


def _member_for(email: str, user) -> User | None:
    """The member the email is for, so they are written to in their language."""
    if isinstance(user, User) and user.pk:
        return user
    return User.objects.filter(email__iexact=email).first()
