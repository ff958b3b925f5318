"""WSGI entry point for production servers (for example `gunicorn keepitlocal.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
application = get_wsgi_application()
