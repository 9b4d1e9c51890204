"""Writes of attachments. The timeline's services (updates.services) call these inside the
transaction that writes the entry, so an entry and its files are saved together or not at all.

1. `check_files` refuses a post before anything is written: too many files, a file over
   ATTACHMENT_MAX_BYTES (counted as it arrived, attachments.uploads), a blocked extension, or
   (with the ticket's row locked) a ticket whose files would pass ATTACHMENT_MAX_TICKET_BYTES.
2. `store_files` writes each file to the storage under a generated name and records its row.
3. `files_removed_on_failure` (around the transaction) deletes what was stored if the post
   fails after all, so a rolled-back entry leaves no file behind.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat

from accounts.models import User
from attachments import files as file_rules
from attachments.models import Attachment
from attachments.storage import attachment_storage, generated_name
from attachments.uploads import OversizeUpload
from tickets.models import Ticket

FIELD = "attachments"
SNIFF_BYTES = 16


def _refuse(message: str) -> ValidationError:
    return ValidationError({FIELD: message})


def check_files(uploads: Sequence[UploadedFile], *, ticket: Ticket | None = None) -> None:
    """Refuse the whole post (ValidationError on `attachments`) when any file breaks a limit.
    Give the ticket, its row locked, to check its total too."""
    if not uploads:
        return
    if len(uploads) > settings.ATTACHMENT_MAX_FILES:
        raise _refuse(
            f"Attach at most {settings.ATTACHMENT_MAX_FILES} files at a time "
            f"({len(uploads)} were sent)."
        )
    limit = settings.ATTACHMENT_MAX_BYTES
    for upload in uploads:
        name = file_rules.clean_filename(upload.name)
        if isinstance(upload, OversizeUpload) or (upload.size or 0) > limit:
            raise _refuse(f"{name} is larger than {filesizeformat(limit)}, the limit per file.")
        if file_rules.is_blocked(name):
            raise _refuse(
                f"{name}: {file_rules.extension(name)} files cannot be attached (programs and "
                "scripts are refused); put it in a zip file if a colleague needs it."
            )
    if ticket is not None:
        stored = Attachment.objects.filter(ticket=ticket).aggregate(total=Sum("size"))["total"]
        incoming = sum(upload.size or 0 for upload in uploads)
        ticket_limit = settings.ATTACHMENT_MAX_TICKET_BYTES
        if (stored or 0) + incoming > ticket_limit:
            raise _refuse(
                f"This ticket's files would pass {filesizeformat(ticket_limit)} in all "
                f"({filesizeformat(stored or 0)} already attached)."
            )


# The names stored by the post in progress (see files_removed_on_failure).
_stored_names: ContextVar[list[str] | None] = ContextVar("stored_attachment_names", default=None)


@contextmanager
def files_removed_on_failure() -> Iterator[None]:
    """Wrap a transaction that calls `store_files`: if it raises, the files it stored are
    deleted again (the storage is not part of the database transaction). Nested uses join the
    outermost one, which alone decides."""
    if _stored_names.get() is not None:
        yield
        return
    names: list[str] = []
    token = _stored_names.set(names)
    try:
        yield
    except BaseException:
        storage = attachment_storage()
        for name in names:
            storage.delete(name)
        raise
    finally:
        _stored_names.reset(token)


def store_files(
    entry: Any,  # an updates.TimelineEntry: this app sits below updates and never imports it
    uploads: Sequence[UploadedFile],
    *,
    uploaded_by: User | None,
) -> list[Attachment]:
    """Save checked files for a timeline entry (call `check_files` first), inside
    `files_removed_on_failure`."""
    if not uploads:
        return []
    stored = _stored_names.get()
    if stored is None:
        raise RuntimeError("store_files runs inside files_removed_on_failure()")
    storage = attachment_storage()
    attachments = []
    for upload in uploads:
        filename = file_rules.clean_filename(upload.name)
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        name = storage.save(generated_name(), upload)
        stored.append(name)
        attachments.append(
            Attachment(
                entry=entry,
                ticket_id=entry.ticket_id,
                stored_name=name,
                filename=filename,
                size=upload.size,
                content_type=file_rules.content_type_for(filename, head),
                uploaded_by=uploaded_by,
                created_at=entry.created_at,
            )
        )
    return Attachment.objects.bulk_create(attachments)
