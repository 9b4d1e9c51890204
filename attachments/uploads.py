"""An upload handler that counts the bytes of each file as they arrive and stops keeping them
past ATTACHMENT_MAX_BYTES, whatever Content-Length or the part's headers claim.

First in FILE_UPLOAD_HANDLERS: it passes each chunk on to Django's memory and temporary-file
handlers until a file goes over the limit, then swallows the rest of that file (the request is
still read to its end, so the form can answer with its message) and hands the view an
`OversizeUpload` that carries the real size and no content. The services refuse it like any
file over the limit, so nothing is stored.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizeUpload(UploadedFile):
    """A file that went over the limit: its name and how many bytes arrived, nothing else."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def open(self, mode=None):  # pragma: no cover - never read: the services refuse it first
        raise ValueError("An upload over the size limit has no content.")


class AttachmentSizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = settings.ATTACHMENT_MAX_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            return None  # the handlers after this one never see the rest
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > self.limit:
            return OversizeUpload(self.file_name, self.content_type, self.received)
        return None  # the next handler builds the file as usual
