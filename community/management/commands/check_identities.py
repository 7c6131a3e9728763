"""`manage.py check_identities`: queue a new check of every identity that can be verified.

Run it from cron (daily): a page that no longer links back to the member's profile loses its
verification, and claims added before verification existed get their first check. The
`db_worker` processes do the fetching, one job per identity.
"""

from django.core.management.base import BaseCommand

from community.models import Identity
from community.verification import VERIFIABLE_NETWORKS, check_identity


class Command(BaseCommand):
    help = "Queue a rel=me check of every blog, website, Mastodon and Bluesky identity."

    def handle(self, *args, **options) -> None:
        ids = Identity.objects.filter(
            network__in=VERIFIABLE_NETWORKS, member__is_active=True
        ).values_list("pk", flat=True)
        count = 0
        for identity_id in ids.iterator():
            check_identity.enqueue(identity_id=identity_id)
            count += 1
        self.stdout.write(f"{count} identity check(s) queued.")
