"""Deleting a ticket deletes its files once the deletion commits; find_orphan_attachments lists
(and with --delete removes) files no attachment names."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from attachments.models import Attachment
from tests.attachments.conftest import upload
from updates import services


def files_in(directory) -> list:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


@pytest.mark.django_db(transaction=True)
def test_deleting_a_ticket_deletes_its_files_after_commit(
    agent, organization, contact, attachment_dir
):
    ticket = services.open_ticket(
        organization=organization,
        subject="Scanner offline",
        description="",
        impact=3,
        urgency=3,
        requester=contact,
        created_by=contact,
        attachments=[upload("a.txt")],
    )
    services.add_internal_note(ticket, author=agent, body="n", attachments=[upload("b.txt")])
    assert len(files_in(attachment_dir)) == 2
    ticket.delete()
    assert Attachment.objects.count() == 0
    assert files_in(attachment_dir) == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_deletion_keeps_the_files(agent, ticket, attachment_dir):
    from django.db import transaction

    services.add_internal_note(ticket, author=agent, body="n", attachments=[upload()])

    def delete_then_fail() -> None:
        with transaction.atomic():
            ticket.delete()
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        delete_then_fail()
    assert len(files_in(attachment_dir)) == 1
    assert Attachment.objects.count() == 1


def age(path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_find_orphan_attachments_lists_and_deletes_only_unclaimed_old_files(
    agent, ticket, attachment_dir
):
    entry = services.add_internal_note(ticket, author=agent, body="n", attachments=[upload()])
    kept = attachment_dir / entry.attachments.get().stored_name
    orphan = attachment_dir / "2026" / "01" / "leftover"
    fresh = attachment_dir / "2026" / "01" / "still-committing"
    for path in (orphan, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    age(orphan, 2 * 3600)
    age(kept, 2 * 3600)

    out, err = StringIO(), StringIO()
    call_command("find_orphan_attachments", stdout=out, stderr=err)
    assert out.getvalue().split() == ["2026/01/leftover"]
    assert "Found 1 orphan file." in err.getvalue()
    assert orphan.exists()

    call_command("find_orphan_attachments", "--delete", stdout=StringIO(), stderr=StringIO())
    assert not orphan.exists()
    assert kept.exists()
    assert fresh.exists()
