"""A deleted attachment row (its ticket or entry deleted, or the row itself) takes its file with
it once the deletion commits; a rolled-back deletion keeps the file."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete

from attachments.models import Attachment
from attachments.storage import attachment_storage


def delete_stored_file(name: str) -> None:
    attachment_storage().delete(name)


def on_attachment_deleted(sender, instance: Attachment, **_) -> None:
    transaction.on_commit(partial(delete_stored_file, instance.stored_name))


def connect() -> None:
    post_delete.connect(
        on_attachment_deleted, sender=Attachment, dispatch_uid="attachments.file_deleted"
    )
