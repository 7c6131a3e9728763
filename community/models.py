import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.functions import RandomUUID
from django.core.files.storage import storages
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Lower
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.fetch import FetchError
from community.text import validate_multiline, validate_single_line


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


# Rows written without the ORM (the bulk seeding command) and rows that existed before a token
# column was added each get a token of their own from the database.
_TOKEN_FROM_DATABASE = Cast(RandomUUID(), output_field=models.CharField(max_length=64))


class EmailKind(models.TextChoices):
    """The kinds of email a member may turn off; account emails are not among them."""

    NEW_DATES = "new_dates", _("New dates of a series I attended")
    CHANGES = "changes", _("Changes to my events (new time, new place, cancellation)")
    REMINDERS = "reminders", _("Reminders before my events")
    WAITLIST = "waitlist", _("Waitlist news (a seat freed up for me)")


class MemberManager(UserManager):
    """Without a username, one is made from the display name: never from the email address,
    whose local part would then be public in the profile URL."""

    def _create_user_object(self, username, email, password, **extra_fields):
        extra_fields.setdefault("display_name", username)
        return super()._create_user_object(username, email, password, **extra_fields)

    def create_user(self, email=None, password=None, username=None, **extra_fields):
        username = username or _suggested(extra_fields.get("display_name"))
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, username=None, **extra_fields):
        username = username or _suggested(extra_fields.get("display_name"))
        return super().create_superuser(username, email, password, **extra_fields)


def _suggested(display_name: str | None) -> str:
    from community.usernames import suggest  # it queries this module's User

    return suggest(display_name or "")


class User(AbstractUser):
    """A community member. Logs in with their email; `username` names their profile URL."""

    class Visibility(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        MEMBERS = "members", _("Members only")
        NOBODY = "nobody", _("Nobody")

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"), max_length=80, validators=[validate_single_line]
    )
    city = models.CharField(_("city"), max_length=80, blank=True, validators=[validate_single_line])
    bio = models.TextField(
        _("short bio"), max_length=500, blank=True, validators=[validate_multiline]
    )
    # The language the site's emails and personal calendar feeds are written in for this
    # member; set when they switch language on the site. The database default serves rows
    # written without the ORM (the bulk seeding command).
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        db_default=settings.LANGUAGE_CODE,
    )
    ties_visibility = models.CharField(
        _("who sees whom I know online"),
        max_length=10,
        choices=Visibility,
        default=Visibility.MEMBERS,
    )
    listed_in_attendees = models.BooleanField(_("appear in attendee lists"), default=True)
    # Secret for the private calendar feed; regenerating it kills the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    # A second secret for the organisers' calendar (every series' holds): the personal feed's
    # address, shared with a calendar app or a partner, must not open it.
    organiser_feed_token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, db_default=_TOKEN_FROM_DATABASE
    )
    # One switch per `EmailKind`, named `email_<kind>`: see `wants_email`.
    email_new_dates = models.BooleanField(EmailKind.NEW_DATES.label, default=True, db_default=True)
    email_changes = models.BooleanField(EmailKind.CHANGES.label, default=True, db_default=True)
    email_reminders = models.BooleanField(EmailKind.REMINDERS.label, default=True, db_default=True)
    email_waitlist = models.BooleanField(EmailKind.WAITLIST.label, default=True, db_default=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects = MemberManager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="community_user_unique_email"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("community:profile", args=[self.username])

    @property
    def initials(self) -> str:
        parts = [part for part in (self.display_name or self.username).split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or "?"

    def regenerate_calendar_token(self) -> None:
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])

    def regenerate_organiser_feed_token(self) -> None:
        self.organiser_feed_token = new_calendar_token()
        self.save(update_fields=["organiser_feed_token"])

    @staticmethod
    def email_field(kind: str) -> str:
        """The switch of one `EmailKind` (a ValueError for anything else)."""
        return f"email_{EmailKind(kind).value}"

    def wants_email(self, kind: str) -> bool:
        return getattr(self, self.email_field(kind))

    def stop_email(self, kind: str) -> None:
        field = self.email_field(kind)
        setattr(self, field, False)
        self.save(update_fields=[field])


class FormerUsername(models.Model):
    """A username a member gave up: their old profile URL redirects to the new one, and nobody
    else may take it (an old link must never lead to someone else)."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="former_usernames")
    username = models.CharField(max_length=150)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("former username")
        verbose_name_plural = _("former usernames")
        constraints = [
            models.UniqueConstraint(
                Lower("username"), name="community_formerusername_unique_username"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} → {self.member.username}"


class Network(models.TextChoices):
    X = "x", _("X / Twitter")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    LINKEDIN = "linkedin", _("LinkedIn")
    FACEBOOK = "facebook", _("Facebook")
    VIADEO = "viadeo", _("Viadeo")
    FLICKR = "flickr", _("Flickr")
    WEBSITE = "website", _("Blog / website")


class IdentityQuerySet(models.QuerySet):
    def standing(self):
        """The claims that count for their handle (imports match them, profiles show them
        first): a verified claim; failing one, the earliest claim of the handle. Several
        members may claim one handle; verifying it is how a claim wins."""
        same_handle = Identity.objects.filter(
            network=OuterRef("network"), handle=OuterRef("handle")
        )
        return self.filter(
            Q(verified_at__isnull=False)
            | (
                ~Exists(same_handle.filter(verified_at__isnull=False))
                & ~Exists(same_handle.filter(pk__lt=OuterRef("pk")))
            )
        )


class Identity(models.Model):
    """A member's claim to an account on an online network, stored with a normalised handle.

    A claim is *verified* when the account's page links back to the member's profile here with
    `rel="me"` (`community/verification.py`); until then profiles say it is not verified.
    """

    class Problem(models.TextChoices):
        NO_LINK = "no_link", _("The page has no link marked rel=me back to your profile.")
        NOT_CHECKABLE = "not_checkable", _("This network cannot be checked.")
        TAKEN = "taken", _("Another member has verified this identity.")
        TOO_COMPLEX = "too_complex", _("The page is too large or too deeply nested to read.")

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identities")
    network = models.CharField(_("network"), max_length=12, choices=Network)
    # The normalised key: `nick` for X, `nick@instance` for Mastodon, `host/path` for a blog.
    handle = models.CharField(_("handle"), max_length=255)
    url = models.URLField(_("address"), max_length=500, blank=True)
    # X archives name accounts by numeric id only: the member's own account.js tells it, and
    # it proves nothing (anyone can write that file), so the claim stays unverified.
    external_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Why the last check did not verify the claim: a `Problem` or a `FetchError.Reason` value.
    check_problem = models.CharField(max_length=20, blank=True)

    objects = IdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("online identity")
        verbose_name_plural = _("online identities")
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "network", "handle"],
                name="community_identity_one_claim_per_member",
            ),
            models.UniqueConstraint(
                fields=["network", "handle"],
                condition=Q(verified_at__isnull=False),
                name="community_identity_one_verified_per_handle",
            ),
        ]
        indexes = [
            # Imports match X archives on the numeric account id.
            models.Index(
                fields=["network", "external_id"],
                name="community_identity_external",
                condition=~Q(external_id=""),
            ),
            # `standing()` looks up the other claims of each handle.
            models.Index(fields=["network", "handle"], name="community_identity_handle"),
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.handle}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def problem_label(self) -> str:
        for choices in (Identity.Problem, FetchError.Reason):
            if self.check_problem in choices.values:
                return choices(self.check_problem).label
        return ""


class ImportBatch(models.Model):
    """One confirmed contact import; deleting it undoes the import as a whole."""

    class Kind(models.TextChoices):
        LINKEDIN = "linkedin", _("LinkedIn connections (CSV)")
        MASTODON = "mastodon", _("Mastodon follows (CSV)")
        X = "x", _("X / Twitter archive (following.js)")
        OPML = "opml", _("Blogroll or feed reader (OPML)")
        HANDLES = "handles", _("List of handles (CSV)")

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="import_batches")
    kind = models.CharField(max_length=10, choices=Kind)
    filename = models.CharField(max_length=255, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class Tie(models.Model):
    """`from_member` knows (follows) `to_member` online. Directed; mutual when both exist."""

    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared")
        IMPORTED = "import", _("Imported")
        SOCIAL = "social", _("Social login")

    from_member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ties_out")
    to_member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ties_in")
    network = models.CharField(_("network"), max_length=12, choices=Network)
    source = models.CharField(max_length=10, choices=Source, default=Source.DECLARED)
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="ties"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("online tie")
        verbose_name_plural = _("online ties")
        constraints = [
            models.UniqueConstraint(
                fields=["from_member", "to_member", "network"],
                name="community_tie_one_per_pair_and_network",
            ),
            models.CheckConstraint(
                condition=~Q(from_member=F("to_member")), name="community_tie_no_self_tie"
            ),
        ]
        indexes = [
            # The people view fetches ties induced by a set of attendees from both ends.
            models.Index(fields=["to_member", "from_member"], name="community_tie_reverse"),
        ]

    def __str__(self) -> str:
        return f"{self.from_member} → {self.to_member} ({self.network})"


class Photo(models.Model):
    """A member's profile photo, stored re-encoded as squares (see `community/photos.py`).

    The files are named by a hash of their content, so a name never changes meaning and may be
    cached for ever; replacing or deleting the photo deletes the old files.
    """

    SIZES = (48, 96, 256)

    member = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="photo"
    )
    digest = models.CharField(max_length=16)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile photo")
        verbose_name_plural = _("profile photos")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.digest}"

    def file_name(self, size: int) -> str:
        return f"faces/{self.digest}-{size}.webp"

    def file_names(self) -> list[str]:
        return [self.file_name(size) for size in self.SIZES]

    def url(self, size: int) -> str:
        return storages["default"].url(self.file_name(size))


def delete_photo_files(names: list[str]) -> None:
    """Deletes stored files once the transaction that stopped using them has committed, so a
    rolled-back change never leaves a photo pointing at missing files."""

    def delete() -> None:
        storage = storages["default"]
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@receiver(post_delete, sender=Photo)
def _photo_deleted(sender, instance: Photo, **kwargs) -> None:
    # Also when the member is deleted (cascade): no photo outlives its member.
    delete_photo_files(instance.file_names())
