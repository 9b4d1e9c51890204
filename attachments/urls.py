"""Included by api.urls under /api/v1/attachments/: downloads use the API's authentication (token
or session), its throttles and its error format. Ids of at most 18 digits, like every API id."""

from django.urls import re_path

from attachments.views import AttachmentDownloadView, AttachmentPreviewView

urlpatterns = [
    re_path(
        r"^(?P<attachment_id>[0-9]{1,18})/$", AttachmentDownloadView.as_view(), name="attachment"
    ),
    re_path(
        r"^(?P<attachment_id>[0-9]{1,18})/preview/$",
        AttachmentPreviewView.as_view(),
        name="attachment-preview",
    ),
]
