"""The answer that carries a file: always a download (`Content-Disposition: attachment` with the
RFC 6266 `filename*` form for any name), `nosniff`, and a policy that runs nothing even if a
browser were to render it. Only raster images are ever answered inline, as thumbnails."""

from django.http import FileResponse
from django.utils.http import content_disposition_header

from attachments.models import Attachment
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
