"""Shared helpers for the promise keeper tests: a real SMTP server (aiosmtpd) on 127.0.0.1 that
can fail or stall on demand, and shortcuts to make tickets whose promise falls due when we say."""

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.factories import TicketFactory
from tickets import services as ticket_services
from updates.keeper import delivery
from updates.keeper.sweep import sweep
from updates.models import AlertStage, AlertStatus, Notification, PromiseAlert

PRIORITY_IMPACT_URGENCY = {1: (1, 1), 2: (2, 2), 3: (3, 3), 4: (4, 4)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RecordingHandler:
    """Accepts every message, unless told to refuse the next few (451, a transient failure) or to
    hold each conversation until released (a mail server that hangs)."""

    messages: list[Message] = field(default_factory=list)
    refuse_next: int = 0
    refused: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.release.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Mail server busy, try again later"
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def subjects(self) -> list[str]:
        with self.lock:
            return [m["Subject"] for m in self.messages]


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.release.set()
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server


def deliver(ids: list[int]) -> delivery.DeliveryResult:
    """Deliver at the test's clock (time-machine's), not the database's, as sweep_at does."""
    return delivery.deliver(ids, now=timezone.now())


def make_ticket(*, organization, priority: int, owner=None, requester=None, **extra):
    impact, urgency = PRIORITY_IMPACT_URGENCY[priority]
    kwargs = {"organization": organization, "impact": impact, "urgency": urgency, **extra}
    if requester is not None:
        kwargs["requester"] = requester
    ticket = TicketFactory(**kwargs)
    if owner is not None:
        ticket = ticket_services.assign_owner(ticket, owner=owner, by=owner)
    return ticket


def alert(ticket, stage: str) -> PromiseAlert:
    return PromiseAlert.objects.get(promise__ticket=ticket, promise__outcome="pending", stage=stage)


def sweep_at(traveller, moment: datetime):
    traveller.move_to(moment)
    return sweep(now=moment)


def fired_stages(ticket) -> set[str]:
    return set(
        PromiseAlert.objects.filter(ticket=ticket, status=AlertStatus.FIRED).values_list(
            "stage", flat=True
        )
    )


def notifications_for(user, ticket=None) -> list[Notification]:
    queryset = Notification.objects.filter(recipient=user)
    if ticket is not None:
        queryset = queryset.filter(ticket=ticket)
    return list(queryset.order_by("created_at", "pk"))


ONE_SECOND = timedelta(seconds=1)
STAGES = (AlertStage.DUE_SOON, AlertStage.BREACHED, AlertStage.STILL_BREACHED)
