"""The name a user gave is kept for display and download, without paths or control characters,
and what a file is served as never comes from the client."""

import pytest

from attachments.files import clean_filename, content_type_for, is_blocked
from tests.attachments.conftest import PNG


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sam\\Desktop\\error log.txt", "error log.txt"),
        ("/var/tmp/../shot.png", "shot.png"),
        ("evil\r\nSet-Cookie: x=1.txt", "evil Set-Cookie: x=1.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("..hidden", "hidden"),
        ("trailing.exe. . ", "trailing.exe"),
        ("", "attachment"),
        ("../..", "attachment"),
        ('quote".txt', 'quote".txt'),
    ],
)
def test_a_filename_loses_its_path_and_control_characters(given, kept):
    assert clean_filename(given) == kept


def test_a_very_long_filename_is_shortened_keeping_its_extension():
    cleaned = clean_filename("a" * 500 + ".log")
    assert len(cleaned) == 200
    assert cleaned.endswith(".log")


@pytest.mark.parametrize(
    ("name", "blocked"),
    [
        ("setup.exe", True),
        ("SETUP.EXE", True),
        ("run.ps1", True),
        ("invoice.pdf.exe", True),
        ("notes.txt", False),
        ("logs.zip", False),
        ("Makefile", False),
    ],
)
def test_programs_and_scripts_are_blocked_by_extension(name, blocked):
    assert is_blocked(name) is blocked


def test_images_are_recognised_by_their_bytes_not_their_name():
    assert content_type_for("shot.png", PNG) == "image/png"
    assert (
        content_type_for("not-really.png", b"<svg onload=alert(1)>") == "application/octet-stream"
    )
    assert content_type_for("page.html", b"<html><script>") == "application/octet-stream"
    assert content_type_for("drawing.svg", b"<svg/>") == "application/octet-stream"
    assert content_type_for("server.log", b"12:00 started") == "text/plain"
    assert content_type_for("renamed.txt", PNG) == "image/png"
