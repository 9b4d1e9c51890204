"""Delivering the outbox: in-app notifications at most once, emails to a real SMTP server with
retries, backoff and dead letters, and a re-check of the promise before anything goes out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ManagerFactory
from updates import services as update_services
from updates.models import (
    AlertStage,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
)

from .keeper_support import (
    deliver,
    make_ticket,
    notifications_for,
    smtp_server,
    smtp_settings,
    sweep_at,
)

__all__ = ["smtp_server", "smtp_settings"]

LONDON = ZoneInfo("Europe/London")
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)  # P2: due soon 09:30, deadline 10:00, still 10:30


def alert_messages(**filters) -> list[int]:
    return list(
        OutboxMessage.objects.filter(alert__isnull=False, **filters)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_in_app_reminder_is_delivered_once_however_often_its_task_runs(
    organization, agent, manager
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        ids = alert_messages(channel=OutboxChannel.IN_APP)
        first = deliver(ids)
        again = deliver(ids)

    assert (first.sent, again.sent) == (1, 0)
    [notification] = notifications_for(agent)
    assert notification.kind == AlertStage.DUE_SOON
    assert notification.ticket == ticket
    assert notification.read is False
    assert notification.message == (
        f"{ticket.reference} (Northwind Traders): first response promised by 10:00 UTC, "
        "30 min left."
    )
    assert notifications_for(manager) == []


@pytest.mark.django_db
def test_breach_notification_names_the_ticket_customer_and_deadline(organization, agent, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        deliver(alert_messages())
        traveller.move_to(OPENED + timedelta(minutes=95))
        sweep_at(traveller, OPENED + timedelta(minutes=95))
        deliver(alert_messages(kind=AlertStage.STILL_BREACHED))

    [owner_breach] = notifications_for(agent)
    assert "is late" in owner_breach.message
    kinds = [n.kind for n in notifications_for(manager)]
    assert kinds == [AlertStage.BREACHED, AlertStage.STILL_BREACHED]
    still = notifications_for(manager)[-1].message
    assert ticket.reference in still
    assert "35 min late" in still
    assert "Owner: Alice Agent" in still


@pytest.mark.django_db
def test_reminder_is_not_delivered_when_the_promise_was_kept_after_it_fired(organization, agent):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        traveller.move_to(OPENED + timedelta(minutes=31))
        update_services.post_public_update(ticket, author=agent, body="We are on site now.")
        result = deliver(alert_messages())

    assert result.skipped == 2
    assert notifications_for(agent) == []
    assert set(
        OutboxMessage.objects.filter(alert__isnull=False).values_list("status", flat=True)
    ) == {OutboxStatus.SKIPPED}


@pytest.mark.django_db
def test_reminder_email_reaches_a_real_smtp_server_with_text_and_html(
    organization, agent, manager, smtp_settings
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=70))
        result = deliver(alert_messages(channel=OutboxChannel.EMAIL))

    assert result.sent == 2
    [to_owner] = smtp_settings.to(agent.email)
    assert to_owner["Subject"].strip().startswith(f"[{ticket.reference}] Promise breached")
    text = to_owner.get_body(("plain",)).get_content()
    html = to_owner.get_body(("html",)).get_content()
    for part in (text, html):
        assert ticket.reference in part
        assert "Northwind Traders" in part
        assert "10:00 UTC" in part
        assert "10 min late" in part
        assert f"/tickets/{ticket.pk}/" in part
    assert len(smtp_settings.to(manager.email)) == 1
    assert set(
        OutboxMessage.objects.filter(channel=OutboxChannel.EMAIL, alert__isnull=False).values_list(
            "status", flat=True
        )
    ) == {OutboxStatus.SENT}


@pytest.mark.django_db
def test_smtp_failing_transiently_backs_off_then_sends_exactly_once(
    organization, agent, smtp_settings, settings
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    smtp_settings.refuse_next = 2
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        [pk] = alert_messages(channel=OutboxChannel.EMAIL)

        assert deliver([pk]).failed == 1
        message = OutboxMessage.objects.get(pk=pk)
        assert message.status == OutboxStatus.PENDING
        assert message.next_attempt_at == OPENED + timedelta(minutes=31)
        assert "451" in message.last_error
        # Not before its backoff, even if a stray task asks.
        assert deliver([pk]).sent == 0

        # The sweep queues it again once the backoff has passed.
        assert sweep_at(traveller, OPENED + timedelta(minutes=31)).requeued >= 1
        assert deliver([pk]).failed == 1
        assert OutboxMessage.objects.get(pk=pk).next_attempt_at == OPENED + timedelta(minutes=33)

        traveller.move_to(OPENED + timedelta(minutes=33))
        assert deliver([pk]).sent == 1

    assert len(smtp_settings.to(agent.email)) == 1
    assert OutboxMessage.objects.get(pk=pk).attempts == 3


@pytest.mark.django_db
def test_email_becomes_a_dead_letter_after_bounded_attempts(
    organization, agent, smtp_settings, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_settings.refuse_next = 100
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        [pk] = alert_messages(channel=OutboxChannel.EMAIL, recipient=agent)
        results = []
        for _ in range(5):
            results.append(deliver([pk]))
            traveller.shift(timedelta(hours=1))

    message = OutboxMessage.objects.get(pk=pk)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert sum(r.dead for r in results) == 1
    assert smtp_settings.refused == 3


@pytest.mark.django_db
def test_unreachable_mail_server_is_a_failure_to_retry_not_a_crash(organization, agent, settings):
    from .keeper_support import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        result = deliver(alert_messages())
    assert (result.sent, result.failed) == (1, 1)  # in-app still delivered
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.get(alert__isnull=False, channel=OutboxChannel.EMAIL).status == (
        OutboxStatus.PENDING
    )


@pytest.mark.django_db
def test_emails_not_reached_within_the_time_budget_are_released_untouched(
    organization, agent, manager, monkeypatch, mailoutbox
):
    from updates.keeper import delivery

    queued = []
    monkeypatch.setattr(delivery, "enqueue_delivery", lambda pairs: queued.extend(pairs))
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        ids = alert_messages(channel=OutboxChannel.EMAIL)
        result = delivery.deliver_email(ids, now=timezone.now(), time_budget=-1)

    assert result.released == 2
    assert mailoutbox == []
    assert {pk for pk, _ in queued} == set(ids)
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", "attempts")) == {
        (OutboxStatus.PENDING, 0)
    }


def refuse_mail_to(monkeypatch, smtp_server, address: str) -> None:
    """Make the SMTP server refuse (451) every message to `address`, accepting the others."""
    accept = smtp_server.handle_DATA

    async def handle_DATA(server, session, envelope):
        if address in envelope.rcpt_tos:
            smtp_server.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        return await accept(server, session, envelope)

    monkeypatch.setattr(smtp_server, "handle_DATA", handle_DATA)


@pytest.mark.django_db
def test_a_refusal_mid_batch_backs_off_only_that_email_and_the_batch_carries_on(
    organization, agent, manager, smtp_settings, settings, monkeypatch
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    second_manager = ManagerFactory(email="sam@msp.test")
    refuse_mail_to(monkeypatch, smtp_settings, manager.email)
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))  # breach: owner and both managers
        ids = alert_messages(channel=OutboxChannel.EMAIL)
        result = deliver(ids)

    assert (result.sent, result.failed, result.dead) == (2, 1, 0)
    statuses = {
        m.recipient_id: (m.status, m.attempts, m.next_attempt_at)
        for m in OutboxMessage.objects.filter(pk__in=ids)
    }
    sent_at = OPENED + timedelta(minutes=60)
    assert statuses == {
        agent.pk: (OutboxStatus.SENT, 1, sent_at),
        manager.pk: (OutboxStatus.PENDING, 1, sent_at + timedelta(seconds=60)),
        second_manager.pk: (OutboxStatus.SENT, 1, sent_at),
    }
    assert len(smtp_settings.to(agent.email)) == len(smtp_settings.to(second_manager.email)) == 1
    assert smtp_settings.to(manager.email) == []


@pytest.mark.django_db
def test_a_dead_letter_in_a_batch_leaves_the_other_emails_sent_and_in_app_delivered_once(
    organization, agent, manager, smtp_settings, settings, monkeypatch
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    refuse_mail_to(monkeypatch, smtp_settings, manager.email)
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        ids = alert_messages()
        first = deliver(ids)
        traveller.shift(timedelta(hours=1))
        again = deliver(ids)

    assert (first.sent, first.failed, first.dead) == (3, 1, 1)  # 2 in-app + the owner's email
    assert (again.sent, again.failed, again.dead) == (0, 0, 0)
    dead = OutboxMessage.objects.get(status=OutboxStatus.DEAD)
    assert (dead.recipient, dead.channel, dead.attempts) == (manager, OutboxChannel.EMAIL, 1)
    assert "451" in dead.last_error
    assert len(smtp_settings.to(agent.email)) == 1
    assert [n.kind for n in notifications_for(agent)] == [AlertStage.BREACHED]
    assert [n.kind for n in notifications_for(manager)] == [AlertStage.BREACHED]


@pytest.mark.django_db
def test_accepted_emails_are_marked_sent_one_statement_per_group_not_per_email(
    organization, agent, smtp_settings, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from updates.keeper import delivery

    monkeypatch.setattr(delivery, "SENT_MARK_GROUP", 5)
    managers = ManagerFactory.create_batch(11)
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        ids = alert_messages(channel=OutboxChannel.EMAIL)
        with CaptureQueriesContext(connection) as queries:
            result = deliver(ids)

    assert len(ids) == 12
    assert result.sent == 12
    marks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "updates_outboxmessage"') and "'sent'" in q["sql"]
    ]
    assert len(marks) == 3  # 5 + 5 + 2: the last, partial group is marked at the end
    assert OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENT).count() == 12
    assert sorted(message["To"] for message in smtp_settings.messages) == sorted(
        [agent.email, *(m.email for m in managers)]
    )


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even the task's `finally`."""


@pytest.mark.django_db
def test_a_worker_killed_before_its_group_was_marked_sends_those_emails_again_never_zero(
    organization, agent, manager, smtp_settings, settings, monkeypatch
):
    """The documented duplicate window: emails the server accepted but whose group was not yet
    marked sent go out a second time after the lease expires; none is lost, in-app stays once."""
    from updates.keeper import delivery

    mark = delivery._mark

    def killed_before_marking_sent(ids, status, now):
        if status == OutboxStatus.SENT:
            raise WorkerKilled
        mark(ids, status, now)

    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        emails = alert_messages(channel=OutboxChannel.EMAIL)
        in_app = alert_messages(channel=OutboxChannel.IN_APP)
        assert deliver(in_app).sent == 2
        with monkeypatch.context() as patch:
            patch.setattr(delivery, "_mark", killed_before_marking_sent)
            with pytest.raises(WorkerKilled):
                deliver(emails)
        assert set(
            OutboxMessage.objects.filter(pk__in=emails).values_list("status", flat=True)
        ) == {OutboxStatus.SENDING}
        # Within the lease nobody touches them; after it the sweep queues them again.
        assert deliver(emails).sent == 0
        lease_over = OPENED + timedelta(minutes=60, seconds=settings.OUTBOX_LEASE_SECONDS)
        assert sweep_at(traveller, lease_over).requeued == 2
        assert deliver(emails + in_app).sent == 2

    assert len(smtp_settings.to(agent.email)) == len(smtp_settings.to(manager.email)) == 2
    assert set(OutboxMessage.objects.filter(pk__in=emails).values_list("status", flat=True)) == {
        OutboxStatus.SENT
    }
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_an_exception_escaping_mid_batch_still_marks_the_emails_already_accepted(
    organization, agent, manager, smtp_settings, monkeypatch
):
    """Anything short of a kill (a database error, the task being stopped) runs the `finally`
    that marks what the server accepted, so those are never sent twice."""
    from updates.keeper import delivery

    render = delivery.render_email
    calls = []

    def render_then_stop(message, now):
        calls.append(message.pk)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return render(message, now)

    monkeypatch.setattr(delivery, "render_email", render_then_stop)
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        first, second = alert_messages(channel=OutboxChannel.EMAIL)
        with pytest.raises(KeyboardInterrupt):
            deliver([first, second])

    assert OutboxMessage.objects.get(pk=first).status == OutboxStatus.SENT
    assert OutboxMessage.objects.get(pk=second).status == OutboxStatus.SENDING  # lease: later
    assert len(smtp_settings.messages) == 1
