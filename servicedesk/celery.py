"""The Celery app. Tasks are thin callers of services; the database stays the source of truth."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_transport_options = app.conf.broker_transport_options or {}
for _key in ("data_folder_in", "data_folder_out", "processed_folder"):
    # The filesystem transport fails on a missing folder; create them on first use.
    if _transport_options.get(_key):
        Path(_transport_options[_key]).mkdir(parents=True, exist_ok=True)
