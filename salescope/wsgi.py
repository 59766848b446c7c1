import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescope.settings")
application = get_wsgi_application()
# Import every app's views now, while the worker boots (gunicorn accepts connections only
# after this): ~3 s of CPU that the first request after a start would otherwise wait for.
get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
# What the boot made lives as long as the process: move it out of the cyclic garbage
# collector's reach. Otherwise every full collection walks those ~250k objects again, 0.1–0.3 s
# of a request here, and a large answer (a pivot of thousands of cells, an ageing page) set
# one off often enough. The boot's own garbage is collected first, or it would stay for good.
gc.collect()
gc.freeze()
