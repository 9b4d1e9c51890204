"""Update text as HTML: markdown (bold, lists, links, code, quotes) made safe to show anywhere.

The one place that turns a timeline entry's body into HTML, for the staff ticket page, the portal
and the customer emails (the `markdown` template filter in updates.templatetags.update_tags).
Two layers: markdown is told to treat HTML in the text as text (someone writing `<b>` sees `<b>`),
and nh3 then keeps only the tags and link schemes below, so a mistake in either still shows no
script, no event handler and no javascript: link. Images are never loaded (the markdown for one
stays as typed): an image in an email is a tracking pixel, and on a page it can load anything.
"""

import functools
import html
import re
import threading

import markdown
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown.preprocessors import Preprocessor

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "blockquote",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Links leave the site: no ranking credit for what anyone types, no window.opener for the target.
LINK_REL = "nofollow noopener"

# A bullet or numbered item as people type it: up to three spaces, then "-", "*", "+", "1." or "1)".
LIST_ITEM = re.compile(r"^ {0,3}(?:(?P<bullet>[-*+])|\d{1,9}[.)])\s+\S")


def _list_kind(line: str) -> str | None:
    match = LIST_ITEM.match(line)
    if match is None:
        return None
    return "bullet" if match["bullet"] else "number"


class ListAfterLine(Preprocessor):
    """A list straight under a line of text (or under a list of the other kind) is a list of its
    own: people write "Steps:" and the items on the next lines, where markdown alone wants a
    blank line first and shows the dashes."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line in lines:
            kind = _list_kind(line)
            if kind and out and out[-1].strip() and _list_kind(out[-1]) != kind:
                out.append("")
            out.append(line)
        return out


# A Markdown instance is costly to build and not safe to share between threads: one per thread.
_local = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        # nl2br: a line break in the text stays a line break (updates are written like emails);
        # sane_lists: a numbered list and a bulleted one next to each other stay two lists.
        converter = markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")
        # HTML in the text is text, not markup.
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        # `![alt](url)` stays as typed, never an <img>.
        converter.inlinePatterns.deregister("image_link")
        converter.inlinePatterns.deregister("image_reference")
        converter.inlinePatterns.deregister("short_image_ref")
        # '#' and underlined lines stay as written: a heading inside one entry of a page (or an
        # email) would outrank the page's own headings.
        converter.parser.blockprocessors.deregister("hashheader")
        converter.parser.blockprocessors.deregister("setextheader")
        converter.preprocessors.register(ListAfterLine(converter), "list_after_line", 5)
        _local.converter = converter
    return converter


# The ticket page shows the same entries on every view, so recent short texts are kept, per
# process (long ones are rare and would fill memory); MARKDOWN_CACHE_SIZE=0 turns it off, which
# is how the benchmark measures the computed path (docs/benchmarks.md).
CACHED_TEXT_LENGTH = 4000


def render_markdown(text: str) -> SafeString:
    """The text's markdown as sanitised HTML, safe to put in any page or email as it is."""
    if not text:
        return mark_safe("")
    if len(text) <= CACHED_TEXT_LENGTH:
        return _render_cached(text)
    return _render(text)


@functools.lru_cache(maxsize=settings.MARKDOWN_CACHE_SIZE)
def _render_cached(text: str) -> SafeString:
    return _render(text)


# Text that markdown would only split into paragraphs and lines: no markup character, no line that
# could open a list, a quote, a rule or a code block, no whitespace or character that markdown or
# the sanitiser would rewrite. Most updates are such plain sentences; drawing them directly is
# about thirty times cheaper than the parser and the sanitiser, with the same HTML
# (tests/updates/test_markdown.py compares the two).
MARKUP = re.compile(r"[`*_\[\]<>&\\#~|=\-+!\r\t\f\v\x00-\x08\x0e-\x1f\x7f-\x9f\u00a0\u2028\u2029]")
PLAIN_LINE = re.compile(r"(?:\S(?:.*\S)?)?")
NUMBERED = re.compile(r"\d+[.)]")


def _plain_html(text: str) -> str | None:
    """The HTML of a plain text (see MARKUP), or None when the text needs the parser."""
    if MARKUP.search(text):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not PLAIN_LINE.fullmatch(line) or NUMBERED.match(line):
            return None
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n".join(f"<p>{'<br>\n'.join(lines)}</p>" for lines in paragraphs if lines)


def _render(text: str) -> SafeString:
    plain = _plain_html(text)
    return mark_safe(plain) if plain is not None else _parse(text)


def _parse(text: str) -> SafeString:
    converter = _converter()
    try:
        rendered = converter.convert(text)
    finally:
        converter.reset()
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        url_relative="deny",  # an email has no page to be relative to
    )
    return mark_safe(cleaned)


def markdown_as_text(text: str) -> str:
    """The words of the text without its markdown (for one-line snippets): `**late**` is `late`."""
    if not text:
        return ""
    words = nh3.clean(render_markdown(text), tags=set())
    return " ".join(html.unescape(words).split())
