"""`manage.py ingest_email < message.eml`: an MTA's pipe transport hands us one message.

Exit 0 once it is stored (acted on too, whatever became of it; acting that fails is retried
later); exit 75 (EX_TEMPFAIL) when it could not be stored, so the MTA keeps it and retries.
"""

import logging
import sys

from django.core.management.base import BaseCommand

from inbound import services

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store and act on one email read from standard input (exit 75: retry later)."

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.buffer.read()
        try:
            message = services.store(raw, via="pipe")
        except Exception:
            logger.exception("Could not store an inbound message of %d bytes", len(raw))
            sys.exit(EX_TEMPFAIL)
        if message.outcome == "pending":
            try:
                services.act(message.pk)
            except Exception:
                logger.exception("Acting on inbound message %s failed; retried later", message.pk)
        # Anything stored earlier and not acted on yet (a crash between storing and acting).
        try:
            services.act_on_stored(limit=20)
        except Exception:
            logger.exception("Acting on stored inbound messages failed; retried later")
