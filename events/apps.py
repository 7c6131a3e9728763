from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from events import cache  # connects the signals that change the data version

        # `migrate` and `flush` change rows without model signals.
        post_migrate.connect(cache.on_migrate, sender=self, dispatch_uid="events.cache.migrate")

        from events import (
            pictures,  # noqa: F401  (deletes an event's pictures with it)
            privacy,  # noqa: F401  (connects the export and erasure receivers)
        )
