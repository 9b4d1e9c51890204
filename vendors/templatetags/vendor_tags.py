"""Presentation helpers of the vendor pages."""

from datetime import timedelta

from django import template

from tickets.display import duration_text

register = template.Library()


@register.filter
def span(value: timedelta | None) -> str:
    """A duration as staff read it: "45 min", "3 h 20 min", "4 days"."""
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    return minutes_text(minutes)


@register.filter
def minutes_text(minutes: float | int | None) -> str:
    if minutes is None or minutes == "":
        return "n/a"
    return duration_text(float(minutes))


@register.filter
def figure(value, key: str) -> str:
    """A scorecard figure for display: minutes as durations, shares as percentages."""
    if value is None:
        return "n/a"
    if "minutes" in key:
        return minutes_text(value)
    if key.endswith("_share"):
        return f"{value * 100:.0f}%"
    return str(value)
