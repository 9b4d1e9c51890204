"""{% attachment_list files %}: an entry's files as the staff timeline and the portal list them:
name, size and type, each a download through the permission check, raster images with a
thumbnail (the preview URL serves PNG, JPEG, GIF and WebP only).

Built here rather than in a template loop: a ticket may list dozens of files, and the template
engine's lookups per file made 50 files add more than 10% to the ticket pages
(bench/attachments.py, docs/benchmarks.md "Attachments")."""

from collections.abc import Sequence

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from attachments.selectors import FileLink

register = template.Library()

THUMBNAIL = '<img src="{}" alt="" class="attachment-thumb" loading="lazy" width="96" height="72"> '
ITEM = (
    '<li><a href="{}" download>{}<span class="attachment-name">{}</span></a> '
    '<span class="muted small">{} · {}</span></li>'
)


@register.simple_tag
def attachment_list(files: Sequence[FileLink] | None) -> SafeString:
    if not files:
        return SafeString("")
    items = []
    for file in files:
        preview = file.preview_url
        thumbnail = format_html(THUMBNAIL, preview) if preview else ""
        items.append(
            format_html(
                ITEM, file.url, thumbnail, file.filename, filesizeformat(file.size), file.kind
            )
        )
    # Every item is format_html's output: its values are escaped.
    return format_html('<ul class="attachments">\n  {}\n</ul>', mark_safe("\n  ".join(items)))
