"""The promise keeper's sense of time: deadlines judged by the database's clock, and the share of
a task's time limit that one run may spend."""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone


def database_now() -> datetime:
    """The database's clock: every process compares deadlines against the same time, whatever
    the skew of the web and worker machines. (SQLite runs in-process, so its clock is ours.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


def clock_from(now: datetime | None) -> Callable[[], datetime]:
    """A clock that runs from `now` (default: the database's clock, so a promise's deadline is
    judged by the same time everywhere), read once and advanced by the local clock, so
    delivery does not query the database for the time per message."""
    offset = (now or database_now()) - timezone.now()
    return lambda: timezone.now() + offset


def task_time_budget(given: float | None = None) -> float:
    """Seconds a sweep or an email delivery may work before it stops taking new work: half the
    soft time limit, so what it has done is recorded well before the limit stops it."""
    return given if given is not None else settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
