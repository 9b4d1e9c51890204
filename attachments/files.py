"""What a file is: its cleaned name, whether its kind is allowed, and the content type it is
served with. Pure functions; the limits they apply are settings (docs/attachments.md)."""

import mimetypes
import unicodedata
from pathlib import PurePosixPath

from django.conf import settings

FALLBACK_NAME = "attachment"
MAX_FILENAME_LENGTH = 200
OCTET_STREAM = "application/octet-stream"

# Recognised by their first bytes, never by name or by what the client claims: only these are
# ever shown inline (as thumbnails). SVG is not here: it can carry script.
RASTER_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
RASTER_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# Types a download may be labelled with, by extension. Anything else (HTML, SVG, XML, scripts)
# is served as application/octet-stream; every download is `Content-Disposition: attachment`
# with `nosniff` anyway, so the label only helps the customer's computer pick an application.
DOWNLOAD_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "application/pdf",
        "application/json",
        "application/zip",
        "application/gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "message/rfc822",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
TEXT_EXTENSIONS = frozenset({".log", ".txt", ".conf", ".cfg", ".ini", ".md"})


def clean_filename(name: str | None) -> str:
    """The name a user gave, safe to show and to put in a header: the last part of any path
    (either slash), no control or format characters (newlines, NUL, right-to-left overrides),
    no leading dots, no trailing dots or spaces, at most 200 characters keeping the extension."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(" " if char.isspace() else char for char in text)
    text = "".join(char for char in text if not unicodedata.category(char).startswith("C"))
    text = " ".join(text.split()).lstrip(". ").rstrip(". ")
    if not text:
        return FALLBACK_NAME
    if len(text) > MAX_FILENAME_LENGTH:
        suffix = PurePosixPath(text).suffix[:20]
        text = text[: MAX_FILENAME_LENGTH - len(suffix)] + suffix
    return text


def extension(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower()


def is_blocked(filename: str) -> bool:
    """Executables and scripts (ATTACHMENT_BLOCKED_EXTENSIONS), judged by the cleaned name."""
    blocked = {ext.lower().lstrip(".") for ext in settings.ATTACHMENT_BLOCKED_EXTENSIONS}
    return extension(filename).lstrip(".") in blocked


def sniff_raster_type(head: bytes) -> str | None:
    for signature, content_type in RASTER_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def content_type_for(filename: str, head: bytes) -> str:
    """Raster images by their bytes; other files by extension from the allow-list; anything
    else application/octet-stream. The client's Content-Type is never used."""
    if raster := sniff_raster_type(head):
        return raster
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if extension(filename) in TEXT_EXTENSIONS:
        return "text/plain"
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed if guessed in DOWNLOAD_TYPES else OCTET_STREAM


TYPE_WORDS = {
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    "application/pdf": "PDF",
    "text/plain": "text",
    "text/csv": "CSV",
    "application/json": "JSON",
    "application/zip": "zip archive",
    "application/gzip": "gzip archive",
    "message/rfc822": "email",
}


def describe_type(content_type: str, filename: str) -> str:
    """ "PNG image", "PDF", else the extension in capitals ("DOCX file"), else "file"."""
    if content_type in TYPE_WORDS:
        return TYPE_WORDS[content_type]
    ext = extension(filename).lstrip(".")
    return f"{ext.upper()} file" if ext and len(ext) <= 8 else "file"
