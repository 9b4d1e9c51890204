"""GET /api/v1/attachments/{id}/ and its thumbnail: the one way a file leaves the storage.

API views (token or session, the API's throttles and error format), so a script and a signed-in
browser fetch the same URL; 404 to any caller who may not see the entry, 401 to an anonymous one.
"""

from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse, HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from attachments.downloads import file_response
from attachments.selectors import visible_attachment
from audit.services import record


class FirstRenderer(BaseContentNegotiation):
    """An <img> or a download link asks for image/* or */*; errors are JSON whatever it asks."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _is_browser_without_credentials(request: Request) -> bool:
    return (
        "HTTP_AUTHORIZATION" not in request.META
        and "text/html" in request.META.get("HTTP_ACCEPT", "")
        and not request.user.is_authenticated
    )


class AttachmentDownloadView(APIView):
    content_negotiation_class = FirstRenderer
    inline = False

    def handle_exception(self, exc: Exception):
        """A signed-out customer who follows a file's link from an email is asked to sign in
        and then comes back here; a script gets the API's 401 as usual."""
        if isinstance(exc, NotAuthenticated) and _is_browser_without_credentials(self.request):
            login = reverse("portal:login")
            return HttpResponseRedirect(f"{login}?{urlencode({'next': self.request.path})}")
        return super().handle_exception(exc)

    @extend_schema(
        summary="Download an attachment",
        description="The file, as `Content-Disposition: attachment` with `X-Content-Type-Options: "
        "nosniff`, to whoever may see its timeline entry; 404 to everyone else (a contact never "
        "gets an internal note's file).",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="No such attachment, or not yours to see."),
        },
        tags=["tickets"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        attachment = visible_attachment(request.user, int(kwargs["attachment_id"]))
        if attachment is None or (self.inline and not attachment.is_raster_image):
            raise NotFound()
        if request.user.is_helpdesk_staff and not self.inline:
            # Staff open every customer's files: each download of one is in the audit log
            # (thumbnails on the timeline are not downloads).
            record(
                "attachment_downloaded",
                target=attachment,
                request=request._request,
                actor=request.user,
                detail={"ticket": attachment.ticket_id, "filename": attachment.filename},
            )
        return file_response(attachment, inline=self.inline)


class AttachmentPreviewView(AttachmentDownloadView):
    """The same file shown inline, for raster images only (PNG, JPEG, GIF, WebP by their bytes):
    the thumbnails on the timeline. Anything else answers 404 here."""

    inline = True

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        return super().get(request, *args, **kwargs)
