"""Celery tasks of the vendors app: thin callers of the services."""

from celery import shared_task

from vendors import services


@shared_task(name="vendors.tasks.send_due_chases")
def send_due_chases() -> int:
    """Remind owners of due vendor chases. Safe to run twice at once or to retry: the claim in
    services.claim_due_chases decides who sends what, exactly once per chase time."""
    return len(services.claim_due_chases())
