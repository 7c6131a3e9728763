"""Forms of the members app: sign-up extras, identities, ties, privacy, contact imports."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community import imports, uploads, usernames
from community.identities import normalise
from community.models import EmailKind, Identity, ImportBatch, Network, User
from community.text import validate_single_line


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls `signup()` after creating the user).

    allauth's own form subclasses this one, so `field_order` and `clean()` apply to it whole.
    """

    field_order = ["display_name", "username", "email", "password1", "password2", "city"]

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        validators=[validate_single_line],
        help_text=_("How other members see you, e.g. “Camille D.”"),
    )
    city = forms.CharField(
        label=_("City"), max_length=80, required=False, validators=[validate_single_line]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("username")
        if field is not None:
            field.label = _("Username (optional)")
            field.help_text = _(
                "The address of your profile, as in /members/camille-dupont/. Leave it empty "
                "to get one made from your display name; you can change it later."
            )
            # No placeholder: static/js/signup.js shows the one made from the display name.
            field.widget.attrs.update(placeholder="", autocapitalize="none")

    def clean(self):
        data = super().clean()
        if any(self.has_error("username", code) for code in ("taken", "reserved")):
            suggestion = usernames.suggest(data.get("display_name") or data.get("username", ""))
            self.add_error(
                "username",
                ValidationError(
                    _("“%(suggestion)s” is free."),
                    code="suggestion",
                    params={"suggestion": suggestion},
                ),
            )
        return data

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.city = self.cleaned_data["city"]
        user.save(update_fields=["display_name", "city"])


class IdentityForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    value = forms.CharField(
        label=_("Handle or address"),
        max_length=500,
        help_text=_("For example @nick, nick@mastodon.social or https://myblog.example"),
    )

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self):
        data = super().clean()
        if "network" not in data or "value" not in data:
            return data
        try:
            result = normalise(data["network"], data["value"])
        except ValidationError as error:
            self.add_error("value", error)
            return data
        data["handle"], data["url"] = result.handle, result.url
        # Several members may claim a handle; once one has verified it, the others cannot.
        claims = Identity.objects.filter(network=data["network"], handle=result.handle)
        if claims.filter(member=self.member).exists():
            self.add_error("value", _("You have already added this identity."))
        elif claims.filter(verified_at__isnull=False).exists():
            self.add_error("value", _("Another member has verified this identity."))
        return data


class TieForm(forms.Form):
    network = forms.ChoiceField(label=_("Where you know them"), choices=Network.choices)


class ProfileForm(forms.ModelForm):
    """What other members see of you; a new username keeps the old one redirecting."""

    class Meta:
        model = User
        fields = ["display_name", "username", "city", "bio"]
        labels = {"username": _("Username")}
        help_texts = {
            "username": _(
                "The address of your profile, as in /members/camille-dupont/. Links to the old "
                "one keep working."
            ),
            "display_name": _("How other members see you, e.g. “Camille D.”"),
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators = []  # the rules are in `clean_username`
        self.fields["username"].widget.attrs["autocapitalize"] = "none"

    def clean_username(self) -> str:
        value = usernames.normalise(self.cleaned_data["username"])
        if value == self.instance.username:
            return value  # kept as it is, even one from before the rules
        return usernames.check(value, member=self.instance)

    def save(self, commit: bool = True) -> User:
        new = self.cleaned_data["username"]
        member = super().save(commit=False)
        member.username = self.initial["username"]
        member.save(update_fields=["display_name", "city", "bio"])
        usernames.rename(member=member, username=new)
        return member


class PrivacyForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["ties_visibility", "listed_in_attendees"]


class EmailSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [User.email_field(kind) for kind in EmailKind]


class UploadForm(forms.Form):
    """A form with one `file`, refused past the site's upload limit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("At most %(limit)s.") % {
            "limit": uploads.limit_label()
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_size(upload.size)
        return upload


class ImportUploadForm(UploadForm):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(label=_("Export file"))
    network = forms.ChoiceField(
        label=_("Network of the handles"),
        choices=[("", _("Named in the file"))] + list(Network.choices),
        required=False,
        help_text=_("Only for a list of handles without a network column."),
    )


class XAccountForm(UploadForm):
    file = forms.FileField(label=_("account.js from your X archive"))

    def __init__(self, *args, **kwargs):
        # It shares the import page with ImportUploadForm, whose field is also `file`: its own
        # ids keep the page's ids unique while the posted field names stay the same.
        kwargs.setdefault("auto_id", "id_x_%s")
        super().__init__(*args, **kwargs)


class ImportConfirmForm(forms.Form):
    """Carries the preview's matches, signed for this member, to the confirm step."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_token(self) -> imports.Confirmation:
        return imports.read_token(member=self.member, token=self.cleaned_data["token"])
