from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every Celery option lives in settings.py under the CELERY_ prefix, so the eager
# embedded default and the real Redis broker are one configuration read two ways.
app = Celery("assaultlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
