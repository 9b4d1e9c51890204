"""Where attachment files live: STORAGES["attachments"] (the filesystem under var/media/ by
default, an S3-compatible bucket when configured; docs/attachments.md). Never a public URL:
every download goes through the permission-checked view."""

import secrets

from django.core.files.storage import Storage, storages
from django.utils import timezone


def attachment_storage() -> Storage:
    return storages["attachments"]


def generated_name() -> str:
    """A name no user chose: the month it arrived, then 32 random hex digits (no extension, so
    nothing ever runs or renders it by its name)."""
    return f"{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
