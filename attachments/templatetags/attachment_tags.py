"""{% attachment_list files %}: an entry's files as the staff timeline and the portal list them:
name, size and type, each a download through the permission check, raster images with a
thumbnail (the preview URL serves PNG, JPEG, GIF and WebP only).

Built here rather than in a template loop, with the standard library's escaping and each size's
wording computed once: a ticket may list dozens of files, and the template engine's lookups, a
reverse() per link and the translated size per file made 50 files add more than 10% to the
ticket pages (bench/attachments.py, docs/benchmarks.md "Attachments")."""

from collections.abc import Sequence
from functools import lru_cache
from html import escape

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from attachments.selectors import FileLink

register = template.Library()

THUMBNAIL = '<img src="{}" alt="" class="attachment-thumb" loading="lazy" width="96" height="72"> '
ITEM = (
    '<li><a href="{url}" download>{thumbnail}<span class="attachment-name">{name}</span></a> '
    '<span class="muted small">{size} · {kind}</span></li>'
)


@lru_cache(maxsize=4096)
def size_text(size: int, language: str | None) -> str:
    """filesizeformat's words ("2.0 KB"), in the language active when called (the key)."""
    return str(filesizeformat(size))


@register.simple_tag
def attachment_list(files: Sequence[FileLink] | None) -> SafeString:
    if not files:
        return SafeString("")
    language = get_language()
    items = []
    for file in files:
        preview = file.preview_url
        items.append(
            ITEM.format(
                url=escape(file.url),
                thumbnail=THUMBNAIL.format(escape(preview)) if preview else "",
                name=escape(file.filename),
                size=escape(size_text(file.size, language)),
                kind=escape(file.kind),
            )
        )
    # Every value above is escaped (html.escape: the same five characters as Django's escape).
    return SafeString('<ul class="attachments">\n  ' + "\n  ".join(items) + "\n</ul>")
