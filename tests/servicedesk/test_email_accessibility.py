"""Every HTML email reads well in a screen reader and for weak eyes: a language, a title and one
main heading, text for every image, header cells that say what they head, and text colours at
4.5:1 or more against their background (WCAG 2.2 AA, as far as mail clients let us style)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string

EMAIL_TEMPLATES = sorted(
    str(path.relative_to(Path(settings.BASE_DIR) / "templates"))
    for path in (Path(settings.BASE_DIR) / "templates").glob("*/email/*.html")
)
CONTEXT = {
    "recipient": SimpleNamespace(display_name="Priya Shah"),
    "ticket": SimpleNamespace(reference="SD-12", subject="Printer jams", priority=2),
    "author": "Alice Okafor",
    "owner": "Alice Okafor",
    "body": "We have replaced the fuser.",
    "status_label": "Open",
    "status": "Open",
    "next_update_text": "15:00",
    "url": "https://desk.example/t/12/",
    "feedback_url": "https://desk.example/f/12/",
    "summary": "SD-12 is 5 min past its promised update",
    "summary_line": "Chase Dell about SD-12",
    "customer": "Northwind",
    "due_text": "Mon 7 Dec, 15:00",
    "late": "5 min",
    "kind": "breached",
    "vendor": SimpleNamespace(name="Dell", support_phone="0800 000", portal_url=""),
    "opened_text": "Mon 7 Dec, 09:00",
}


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def full_hex(colour: str) -> str:
    colour = colour.lower()
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


class Email(HTMLParser):
    """Reads the structure the checks need; colours are inherited down the element tree."""

    def __init__(self):
        super().__init__()
        self.lang = ""
        self.title = ""
        self.headings: list[str] = []
        self.images_without_alt = 0
        self.header_cells_without_scope = 0
        self.tables_hidden_as_layout = 0
        self.pairs: set[tuple[str, str]] = set()
        self.stack: list[tuple[str, str, str]] = [("", "#000000", "#ffffff")]
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        style = attrs.get("style") or ""
        _, colour, background = self.stack[-1]
        if found := re.search(r"(?:^|;)\s*color:\s*(#[0-9a-fA-F]{3,6})", style):
            colour = full_hex(found.group(1))
        if found := re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})", style):
            background = full_hex(found.group(1))
        if tag == "html":
            self.lang = attrs.get("lang") or ""
        if tag == "title":
            self.in_title = True
        if tag in {"h1", "h2", "h3"}:
            self.headings.append(tag)
        if tag == "img" and not attrs.get("alt", "").strip() and attrs.get("alt") != "":
            self.images_without_alt += 1
        if tag == "th" and attrs.get("scope") not in {"row", "col"}:
            self.header_cells_without_scope += 1
        if tag == "table" and attrs.get("role") == "presentation":
            self.tables_hidden_as_layout += 1
        if tag not in {"meta", "img", "br", "hr", "link"}:
            self.stack.append((tag, colour, background))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        while len(self.stack) > 1:
            opened, _, _ = self.stack.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif data.strip():
            _, colour, background = self.stack[-1]
            self.pairs.add((colour, background))


def check(html: str) -> Email:
    email = Email()
    email.feed(html)
    return email


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_each_email_has_a_language_a_title_and_one_main_heading(template):
    email = check(render_to_string(template, CONTEXT))

    assert email.lang == "en"
    assert email.title.strip()
    assert email.headings[:1] == ["h1"]
    assert email.headings.count("h1") == 1


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_each_emails_images_tables_and_text_colours_are_readable(template):
    email = check(render_to_string(template, CONTEXT))

    assert email.images_without_alt == 0
    assert email.header_cells_without_scope == 0
    assert email.tables_hidden_as_layout == 0
    assert email.pairs, "no text found"
    for colour, background in email.pairs:
        assert contrast(colour, background) >= 4.5, (template, colour, background)


def test_the_checks_catch_faint_text_a_missing_alt_and_no_language():
    email = check(
        '<html><body style="color: #aaa"><img src="x.png"><th>Ticket</th>text</body></html>'
    )

    assert email.lang == ""
    assert email.images_without_alt == 1
    assert email.header_cells_without_scope == 1
    assert contrast(*next(iter(email.pairs))) < 4.5
