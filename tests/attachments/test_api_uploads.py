"""Files through the API (API.md "Attachments"): multipart on ticket create and on updates, the
`attachments` list on every timeline entry, and a post over any limit refused whole."""

import pytest

from attachments.models import Attachment
from tests.attachments.conftest import PNG, upload
from updates.models import EntryKind, TimelineEntry


def stored_files(directory) -> list:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def post_update(client, ticket, **fields):
    return client.post(f"/api/v1/tickets/{ticket.pk}/updates/", fields, format="multipart")


def test_a_public_update_carries_its_files_listed_with_name_size_type_and_url(
    api_client_for, agent, ticket, attachment_dir
):
    response = post_update(
        api_client_for(agent),
        ticket,
        body="The spooler log and a screenshot.",
        next_update_due="",
        attachments=[upload("spooler.log", b"x" * 1234), upload("shot.png", PNG, "image/png")],
    )
    assert response.status_code == 201, response.json()
    files = response.json()["attachments"]
    assert [(f["filename"], f["size"], f["content_type"]) for f in files] == [
        ("spooler.log", 1234, "text/plain"),
        ("shot.png", len(PNG), "image/png"),
    ]
    first = Attachment.objects.get(pk=files[0]["id"])
    assert files[0]["url"] == f"http://testserver/api/v1/attachments/{first.pk}/"
    assert first.entry.kind == EntryKind.PUBLIC_UPDATE
    assert first.ticket_id == ticket.pk
    assert (attachment_dir / first.stored_name).read_bytes() == b"x" * 1234
    assert "spooler" not in first.stored_name


def test_every_timeline_entry_lists_its_attachments(api_client_for, agent, contact, ticket):
    post_update(api_client_for(contact), ticket, body="Here it is", attachments=[upload()])
    timeline = api_client_for(agent).get(f"/api/v1/tickets/{ticket.pk}/updates/").json()
    entries = timeline["results"] if isinstance(timeline, dict) else timeline
    assert all("attachments" in entry for entry in entries)
    assert [f["filename"] for e in entries for f in e["attachments"]] == ["notes.txt"]


def test_numbers_and_booleans_arrive_as_text_in_a_multipart_post(api_client_for, agent, ticket):
    response = post_update(
        api_client_for(agent),
        ticket,
        body="Rebooting the print server.",
        status="in_progress",
        confirm_vendor_mention="true",
        attachments=[upload()],
    )
    assert response.status_code == 201, response.json()


def test_an_internal_note_keeps_its_files_internal(api_client_for, agent, ticket):
    response = post_update(
        api_client_for(agent),
        ticket,
        body="Vendor case notes attached.",
        visibility="internal",
        attachments=[upload("case.txt")],
    )
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.entry.is_public is False


def test_files_sent_with_a_new_ticket_belong_to_its_opening_entry(api_client_for, contact):
    response = api_client_for(contact).post(
        "/api/v1/tickets/",
        {"subject": "Scanner offline", "impact": "3", "urgency": "2", "attachments": [upload()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    assert attachment.entry.event == "opened"
    assert attachment.entry.is_public
    assert attachment.ticket_id == response.json()["id"]
    assert attachment.uploaded_by == contact


def _nothing_written(ticket, attachment_dir, entries_before):
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_dir) == []
    assert TimelineEntry.objects.filter(ticket=ticket).count() == entries_before


def test_a_file_over_the_limit_is_refused_naming_attachments_and_nothing_is_written(
    api_client_for, agent, ticket, settings, attachment_dir
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    before = TimelineEntry.objects.filter(ticket=ticket).count()
    response = post_update(
        api_client_for(agent),
        ticket,
        body="Two files",
        attachments=[upload("small.txt", b"ok"), upload("big.log", b"y" * 5000)],
    )
    assert response.status_code == 400
    assert "big.log is larger than" in response.json()["attachments"][0]
    _nothing_written(ticket, attachment_dir, before)


def test_the_real_size_is_counted_while_streaming_not_the_clients_claim(settings, rf):
    """The upload handler counts the bytes as they arrive: past the limit the file becomes an
    OversizeUpload with its real size and no content."""
    from django.core.files.uploadhandler import load_handler

    settings.ATTACHMENT_MAX_BYTES = 10
    handler = load_handler("attachments.uploads.AttachmentSizeLimitHandler", rf.post("/"))
    handler.new_file("attachments", "claims-small.txt", "text/plain", content_length=3)
    assert handler.receive_data_chunk(b"123456", 0) == b"123456"
    assert handler.receive_data_chunk(b"789012", 6) is None
    oversize = handler.file_complete(12)
    assert oversize.size == 12
    assert oversize.name == "claims-small.txt"


def test_more_than_ten_files_are_refused(api_client_for, agent, ticket, attachment_dir):
    before = TimelineEntry.objects.filter(ticket=ticket).count()
    response = post_update(
        api_client_for(agent),
        ticket,
        body="Eleven files",
        attachments=[upload(f"f{n}.txt") for n in range(11)],
    )
    assert response.status_code == 400
    assert "at most 10 files" in response.json()["attachments"][0]
    _nothing_written(ticket, attachment_dir, before)


def test_a_blocked_extension_is_refused(api_client_for, contact, ticket, attachment_dir):
    before = TimelineEntry.objects.filter(ticket=ticket).count()
    response = post_update(
        api_client_for(contact),
        ticket,
        body="Run this",
        attachments=[upload("fix.txt"), upload("..\\fix.EXE", b"MZ")],
    )
    assert response.status_code == 400
    assert response.json()["attachments"][0].startswith("fix.EXE: .exe files cannot be attached")
    _nothing_written(ticket, attachment_dir, before)


def test_a_ticket_cannot_pass_its_total(api_client_for, agent, ticket, settings, attachment_dir):
    settings.ATTACHMENT_MAX_TICKET_BYTES = 100
    client = api_client_for(agent)
    assert post_update(client, ticket, body="one", attachments=[upload("a.txt", b"a" * 60)])
    before = TimelineEntry.objects.filter(ticket=ticket).count()
    response = post_update(client, ticket, body="two", attachments=[upload("b.txt", b"b" * 60)])
    assert response.status_code == 400
    assert "would pass 100" in response.json()["attachments"][0]
    assert Attachment.objects.count() == 1
    assert len(stored_files(attachment_dir)) == 1
    assert TimelineEntry.objects.filter(ticket=ticket).count() == before


def test_a_post_refused_after_its_files_were_stored_leaves_no_file(
    api_client_for, agent, ticket, attachment_dir, monkeypatch
):
    """The storage is not in the transaction: a failure after the files were written deletes
    them again."""
    from updates import services

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.customer_emails, "public_update_posted", fail)
    with pytest.raises(RuntimeError):
        post_update(api_client_for(agent), ticket, body="hello", attachments=[upload()])
    assert stored_files(attachment_dir) == []
    assert Attachment.objects.count() == 0


def test_attachments_in_a_json_body_are_refused_by_name(api_client_for, agent, ticket):
    response = api_client_for(agent).post(
        f"/api/v1/tickets/{ticket.pk}/updates/",
        {"body": "hi", "attachments": ["file.txt"]},
        format="json",
    )
    assert response.status_code == 400
    assert "attachments" in response.json()


def test_hundreds_of_file_parts_are_a_400_not_a_500(api_client_for, agent, ticket):
    response = post_update(
        api_client_for(agent),
        ticket,
        body="Too many",
        attachments=[upload(f"f{n}.txt") for n in range(120)],
    )
    assert response.status_code == 400
    assert Attachment.objects.count() == 0


def test_a_note_whose_status_change_is_refused_leaves_no_file(
    api_client_for, agent, ticket, attachment_dir
):
    from tickets import services as ticket_services

    ticket_services.change_status(ticket, status="open", by=agent)
    response = post_update(
        api_client_for(agent),
        ticket,
        body="Note with a file",
        visibility="internal",
        status="new",  # an open ticket never goes back to new
        attachments=[upload()],
    )
    assert response.status_code == 400, response.json()
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_dir) == []
