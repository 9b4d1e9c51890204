"""A public update's files reach the customer by email: linked (through the permission check),
and attached while they total at most ATTACHMENT_EMAIL_MAX_BYTES. An internal note's never."""

import pytest
from django.conf import settings as django_settings

from tests.attachments.conftest import upload
from tests.updates.keeper_support import deliver, smtp_server, smtp_settings
from updates import services
from updates.models import OutboxMessage

__all__ = ["smtp_server", "smtp_settings"]


def deliver_customer_emails():
    ids = list(OutboxMessage.objects.filter(alert__isnull=True).values_list("pk", flat=True))
    return deliver(ids)


def attached_files(message) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_content().strip()) for part in message.iter_attachments()
    ]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_public_updates_small_files_are_attached_and_linked(
    ticket, agent, contact, smtp_settings
):
    entry = services.post_public_update(
        ticket,
        author=agent,
        body="The config we changed.",
        attachments=[upload("printer.conf", b"duplex=on"), upload("réseau.txt", b"ip=10.0.0.9")],
    )
    deliver_customer_emails()
    update = smtp_settings.to(contact.email)[-1]
    assert attached_files(update) == [("printer.conf", "duplex=on"), ("réseau.txt", "ip=10.0.0.9")]
    for attachment in entry.attachments.all():
        assert f"{django_settings.SITE_URL}/api/v1/attachments/{attachment.pk}/" in text_of(update)
    assert "printer.conf (9\xa0bytes)" in text_of(update)


@pytest.mark.django_db
def test_files_over_the_email_limit_are_only_linked(
    ticket, agent, contact, smtp_settings, settings
):
    settings.ATTACHMENT_EMAIL_MAX_BYTES = 10
    services.post_public_update(
        ticket, author=agent, body="Logs", attachments=[upload("big.log", b"z" * 11)]
    )
    deliver_customer_emails()
    update = smtp_settings.to(contact.email)[-1]
    assert attached_files(update) == []
    assert "big.log" in text_of(update)


@pytest.mark.django_db
def test_an_internal_notes_file_never_reaches_an_email(ticket, agent, contact, smtp_settings):
    services.add_internal_note(
        ticket, author=agent, body="n", attachments=[upload("secret.txt", b"CANARY-note")]
    )
    services.post_public_update(ticket, author=agent, body="Working on it.")
    deliver_customer_emails()
    for message in smtp_settings.to(contact.email):
        assert "secret.txt" not in message.as_string()
        assert attached_files(message) == []
