"""An attachment as every timeline entry lists it (API.md "Attachments"); the download itself is
attachments.views, routed under /api/v1/attachments/."""

from rest_framework import serializers

from attachments.models import Attachment
from attachments.selectors import download_url


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(
        help_text="GET it with your token or session: the file, as a download."
    )

    class Meta:
        model = Attachment
        fields = ["id", "filename", "size", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        path = download_url(attachment.pk)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
