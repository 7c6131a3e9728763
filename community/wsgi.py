import gc
import os

from django.core.wsgi import get_wsgi_application

from community.checks import require_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
application = get_wsgi_application()

# Refuse to start rather than answer 500 on every page.
require_static_manifest()

# Everything loaded so far (Django, the apps, networkx…) lives as long as the worker: move it
# out of the garbage collector's sight, so that the full collections that big pages (the
# people view builds ~100,000 objects) trigger stop walking it on every request.
gc.freeze()
