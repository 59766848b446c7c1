import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescope.settings")
application = get_wsgi_application()
# Import every app's views now, while the worker boots (gunicorn accepts connections only
# after this): ~3 s of CPU that the first request after a start would otherwise wait for.
get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
