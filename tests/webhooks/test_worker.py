"""A real Celery worker on Redis delivering to the test's receiver is SIGKILLed mid-delivery: no
delivery is lost, and the only one sent twice is the one that was in flight (the duplicate
window of docs/webhooks.md), with the same webhook-id both times."""

import logging
import signal
import threading
import time
from collections import Counter

import pytest

from tests.factories import TicketFactory
from tests.updates import keeper_support, worker_support
from tests.updates.worker_support import wait_for
from webhooks.models import Delivery, DeliveryStatus, Event

smtp_server = keeper_support.smtp_server
smtp_settings = keeper_support.smtp_settings
keeper_factory = worker_support.keeper_factory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKER_ENV = {
    "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
    # The hung request stays in flight until the kill (no timeout first, which would make it a
    # failed attempt, retried by design); a lease of 15 s frees it soon after.
    "WEBHOOK_TIMEOUT_SECONDS": "10",
    "WEBHOOK_LEASE_SECONDS": "15",
    "WEBHOOK_SWEEP_SECONDS": "1",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
}


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_the_one_in_flight(
    keeper_factory, subscribe, receiver, organization
):
    subscribe(events=["ticket.created"])
    receiver.hang = threading.Event()
    receiver.hang.set()  # the receiver takes the first request and does not answer
    keeper = keeper_factory()
    for _ in range(5):
        TicketFactory(organization=organization)  # each commit rings the worker's bell
    worker = keeper.worker(**WORKER_ENV)
    worker.wait_until_ready()
    # Beat rings every second: the backstop when a ring at commit could not be queued.
    keeper.beat(**WORKER_ENV).wait_until_ready()
    wait_for(lambda: receiver.received(), timeout=30, what=f"the first delivery\n{keeper.logs()}")
    in_flight = receiver.received()[0].webhook_id

    worker.stop(signal.SIGKILL)  # the whole worker, mid-request
    receiver.hang.clear()
    receiver.release.set()
    killed_at = time.monotonic()
    keeper.worker(name="worker-2", **WORKER_ENV).wait_until_ready()

    wait_for(
        lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 5,
        timeout=60,
        what=f"every delivery after the kill\n{keeper.logs()}",
    )
    recovered_in = time.monotonic() - killed_at
    counts = Counter(r.webhook_id for r in receiver.received())
    assert set(counts) == set(Event.objects.values_list("event_id", flat=True))
    repeated = {webhook_id for webhook_id, n in counts.items() if n > 1}
    logging.getLogger(__name__).warning(
        "all delivered %.1f s after the kill; sent twice: %d", recovered_in, len(repeated)
    )
    assert repeated <= {in_flight}
    assert sum(counts.values()) <= 6
    # One lease (15 s here) plus a beat interval and the new worker's start.
    assert recovered_in < 45
