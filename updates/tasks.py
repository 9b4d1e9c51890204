"""Celery tasks of the promise keeper: thin callers of updates.keeper.

Reliability comes from settings (acks_late, reject_on_worker_lost, prefetch 1, time limits below
the visibility timeout) and from the database: each task claims its rows, so a task run twice
(redelivered after a lost worker) does nothing the second time.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import connection

from updates.keeper.delivery import deliver
from updates.keeper.outbox import DELIVERY_TASK
from updates.keeper.sweep import requeue_after_worker_start, sweep
from updates.notify import send_digests

logger = logging.getLogger(__name__)


@shared_task(name="updates.sweep_promises")
def sweep_promises() -> dict[str, int]:
    result = sweep()
    if result.unfinished:
        sweep_promises.delay()  # more is due than one run could claim: continue now, no ETA
    return result.as_dict()


# The outbox queues this task by name (it cannot import this module, which imports delivery).
@shared_task(name=DELIVERY_TASK)
def deliver_outbox(message_ids: list[int]) -> dict[str, int]:
    return deliver(list(message_ids)).as_dict()


@shared_task(name="updates.send_triage_digests")
def send_triage_digests() -> int:
    """New unowned P3/P4 tickets by email, one digest per person at most every
    NOTIFICATION_DIGEST_MINUTES (updates.notify.send_digests claims its rows)."""
    return send_digests()


@worker_ready.connect(dispatch_uid="updates.requeue_after_worker_start")
def on_worker_ready(**kwargs) -> None:
    """Deliveries a killed worker held go out now, not after OUTBOX_REQUEUE_AFTER_SECONDS."""
    try:
        requeued = requeue_after_worker_start()
        if requeued:
            logger.info("Worker started: queued %d pending outbox messages again", requeued)
    except Exception:
        # The sweep's own re-queue is the backstop; a worker must start even if this fails.
        logger.exception("Could not queue pending outbox messages again at worker start")
    finally:
        connection.close()  # the main process keeps no connection its pool does not need
