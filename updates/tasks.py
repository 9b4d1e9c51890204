"""Celery tasks of the promise keeper: thin callers of updates.keeper.

Reliability comes from settings (acks_late, reject_on_worker_lost, prefetch 1, time limits below
the visibility timeout) and from the database: each task claims its rows, so a task run twice
(redelivered after a lost worker) does nothing the second time.
"""

from celery import shared_task

from updates.keeper.delivery import deliver
from updates.keeper.outbox import DELIVERY_TASK
from updates.keeper.sweep import sweep


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
