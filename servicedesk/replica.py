"""Reads that can wait a few seconds go to a streaming read replica, when one is configured.

``DATABASE_REPLICA_URL`` adds the ``replica`` connection. A GET or HEAD request under one of
``REPLICA_READ_PATHS`` (the manager dashboard, exports, reports) reads from it; everything else,
and every write, stays on the primary, so nobody ever misses their own change. The replica is used
only while it is reachable and at most ``REPLICA_MAX_LAG_SECONDS`` behind; otherwise the same
request reads from the primary. The check is made at most every ``REPLICA_CHECK_SECONDS`` per
process, so it costs one small query now and then, not one per request.
"""

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
logger = logging.getLogger(__name__)

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)
# Who signs in and with what rights is read where it was written: a deactivation counts at once.
_PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "axes", "authtoken", "otp_totp", "otp_static"})
_PRIMARY_ONLY_MODELS = frozenset({("accounts", "user")})

# The replica's lag, in seconds, asked of the replica itself: 0 when it has replayed everything it
# received (an idle primary sends nothing, so the last replay's age would grow without meaning),
# else the age of the last transaction it replayed. Not in recovery: it is a primary, so no lag.
_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_usable(lag_seconds: float | None, max_lag_seconds: float) -> bool:
    """The rule: a replica that answered, no further behind than the bound."""
    return lag_seconds is not None and lag_seconds <= max_lag_seconds


class _Health:
    """The last verdict on the replica, per process, and when it was reached."""

    checked_at: float = float("-inf")
    usable: bool = False

    def check(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at < settings.REPLICA_CHECK_SECONDS:
            return self.usable
        lag = measure_lag()
        self.usable = replica_usable(lag, settings.REPLICA_MAX_LAG_SECONDS)
        self.checked_at = now
        if not self.usable:
            logger.warning("Reading from the primary: the replica's lag is %s s", lag)
        return self.usable

    def forget(self) -> None:
        self.checked_at = float("-inf")


health = _Health()


def measure_lag() -> float | None:
    """Seconds the replica is behind, or None when it cannot be asked (the connection failed)."""
    if connections[REPLICA].vendor != "postgresql":
        return 0.0
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError:
        connections[REPLICA].close()
        return None


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Sends reads made while serving a replica path to the replica (see the module docstring)."""

    def db_for_read(self, model, **hints) -> str | None:
        if not _reading_from_replica.get():
            return None
        meta = model._meta
        if meta.app_label in _PRIMARY_ONLY_APPS or (meta.app_label, meta.model_name) in (
            _PRIMARY_ONLY_MODELS
        ):
            return None
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both connections hold the same data: an object read from either relates to the other's.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db != REPLICA


class ReadFromReplica:
    """Middleware: a GET or HEAD under a replica path reads from the replica while it is healthy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and request.path.startswith(tuple(settings.REPLICA_READ_PATHS))
            and health.check()
        ):
            return self.get_response(request)
        token = _reading_from_replica.set(True)
        try:
            return self.get_response(request)
        finally:
            _reading_from_replica.reset(token)
