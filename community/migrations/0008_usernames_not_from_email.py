# Members whose username was their email address's local part (the old default) get one made
# from their display name; the old one is kept as a former username, so it redirects.

from django.db import migrations
from django.utils.text import slugify

MAX_LENGTH = 30
RESERVED = {"me", "moi", "admin", "membre", "members", "accounts", "organise", "rencontres"}


def rename_email_usernames(apps, schema_editor):
    User = apps.get_model("community", "User")
    FormerUsername = apps.get_model("community", "FormerUsername")
    taken = {name.lower() for name in User.objects.values_list("username", flat=True)}
    taken |= {name.lower() for name in FormerUsername.objects.values_list("username", flat=True)}
    for user in User.objects.exclude(email="").order_by("pk").iterator():
        if user.username.lower() != user.email.split("@")[0].lower():
            continue
        base = slugify(user.display_name).replace("_", "-").strip("-")[:MAX_LENGTH].strip("-")
        if len(base) < 2 or base in RESERVED:
            base = "membre"
        candidate, n = base, 2
        while candidate in taken:
            suffix = f"-{n}"
            candidate = base[: MAX_LENGTH - len(suffix)].strip("-") + suffix
            n += 1
        taken.add(candidate)
        FormerUsername.objects.create(member=user, username=user.username)
        user.username = candidate
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0007_former_usernames"),
    ]

    operations = [
        # Going back keeps the new usernames: the old ones still redirect until 0007 is undone.
        migrations.RunPython(rename_email_usernames, migrations.RunPython.noop),
    ]
