import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import (  # noqa: F401
    api_client_for,
    other_contact,
    other_organization,
    other_ticket,
    ticket,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"


def upload(name: str = "notes.txt", content: bytes = b"hello", content_type: str = "text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _own_attachment_dir(attachment_dir):
    """Every test here stores its files in its own directory."""
    return attachment_dir
