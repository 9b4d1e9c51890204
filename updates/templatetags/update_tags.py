"""`{{ entry.body|markdown }}`: an update's text as safe HTML (updates.rendering says how)."""

from django import template
from django.utils.safestring import SafeString

from updates.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str | None) -> SafeString:
    return render_markdown(text or "")
