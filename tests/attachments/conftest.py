import struct
import zlib

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


def png_image(width: int = 160, height: int = 100) -> bytes:
    """A real PNG with a diagonal gradient, big enough to see in a screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def upload(name: str = "notes.txt", content: bytes = b"hello", content_type: str = "text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _own_attachment_dir(attachment_dir):
    """Every test here stores its files in its own directory."""
    return attachment_dir
