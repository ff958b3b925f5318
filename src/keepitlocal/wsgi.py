"""WSGI entry point for production servers (for example `gunicorn keepitlocal.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

from keepitlocal.config import prepare

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
prepare()  # the var folder (and, trying the platform, its key) before the settings read them
application = get_wsgi_application()
