"""Display of minutes and decimals on the billing pages."""

from decimal import Decimal
from typing import Any

from django import template

from billing.services import format_decimal

register = template.Library()


@register.filter
def hours(minutes: Any) -> str:
    """Minutes as hours with two decimals: 90 -> "1.50"."""
    if minutes in (None, ""):
        return ""
    return f"{Decimal(minutes) / 60:.2f}"


@register.filter
def normal(value: Any) -> str:
    """A decimal without trailing zeros: 67.500 -> "67.5"."""
    return format_decimal(Decimal(value)) if value not in (None, "") else ""


@register.filter
def get_line(lines: dict, entry_id: int) -> Any:
    return lines.get(entry_id)
