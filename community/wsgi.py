import gc
import importlib
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from community.checks import require_connection_budget, require_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
# A request never waits on one query longer than this (seconds): a stuck query ends in the
# 503 page well before gunicorn's 30 s timeout kills the worker. Commands run unbounded.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "20")
application = get_wsgi_application()

# Refuse to start rather than answer 500 on every page, or take the database past its limit.
require_static_manifest()
require_connection_budget()

# A worker loads what its pages use before its first request: the URLs and their views, and
# the libraries some of them import only when used (so that commands and job workers, which
# load the URLs too, start faster).
get_resolver().url_patterns  # noqa: B018 - imports every view
for module in ("networkx", "icalendar"):
    importlib.import_module(module)

# Everything loaded so far (Django, the apps, networkx…) lives as long as the worker: move it
# out of the garbage collector's sight, so that the full collections that big pages (the
# people view of a large event) trigger stop walking it on every request.
gc.freeze()
# A big page makes many objects that reference counting frees when the response is sent; at
# the default threshold (700 allocations) the collector walks them again and again during one
# such request. Collecting the youngest objects every 50,000 allocations instead keeps cycles
# bounded and stops that work.
gc.set_threshold(50_000, 20, 20)
