"""The portal's one Celery app; settings come from Django's under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot_portal.settings")

app = Celery("pilot_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
