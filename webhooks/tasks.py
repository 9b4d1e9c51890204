"""Celery tasks of the webhooks: thin callers of webhooks.delivery. The tasks carry no ids: each
claims what is due from the database, so a task lost, run twice or run by two workers at once
neither loses nor doubles a delivery."""

import logging

from celery import current_app, shared_task

from webhooks.delivery import deliver_due

logger = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.deliver"
# Below the keeper's sweep (0) and its deliveries (6): customer and staff reminders first.
DELIVERY_PRIORITY = 7


@shared_task(name=DELIVER_TASK)
def deliver() -> dict:
    result = deliver_due()
    if result.unfinished:
        ring()  # more is due than one run could send: continue now
    return result.as_dict()


def ring() -> None:
    """Ask a worker to deliver what is due. A broker that is down fails nobody: beat queues the
    same task every WEBHOOK_SWEEP_SECONDS."""
    try:
        current_app.tasks[DELIVER_TASK].apply_async(priority=DELIVERY_PRIORITY)
    except Exception as error:
        logger.warning("Could not queue webhook delivery (%s); beat will", error)
