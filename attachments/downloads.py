"""The answer that carries a file: always a download (`Content-Disposition: attachment` with the
RFC 6266 `filename*` form for any name), `nosniff`, and a policy that runs nothing even if a
browser were to render it. Only raster images are ever answered inline, as thumbnails."""

from collections.abc import Sequence

from django.http import FileResponse
from django.utils.http import content_disposition_header

from attachments.models import Attachment
from attachments.selectors import FileLink
from attachments.storage import attachment_storage

SANDBOX_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def file_response(attachment: Attachment, *, inline: bool = False) -> FileResponse:
    inline = inline and attachment.is_raster_image
    response = FileResponse(
        attachment_storage().open(attachment.stored_name, "rb"),
        content_type=attachment.content_type,
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=attachment.filename
    )
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = "private, no-cache"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def files_for_email(files: Sequence[FileLink], *, limit: int) -> list[tuple[str, bytes, str]]:
    """The files to attach to a customer email, as (filename, content, type): all of them when
    they total at most `limit` bytes, else none (the email links them all either way)."""
    if not files or sum(link.size for link in files) > limit:
        return []
    storage = attachment_storage()
    stored_names = dict(
        Attachment.objects.filter(pk__in=[link.pk for link in files]).values_list(
            "pk", "stored_name"
        )
    )
    attached = []
    for link in files:
        with storage.open(stored_names[link.pk], "rb") as handle:
            attached.append((link.filename, handle.read(), link.content_type))
    return attached
