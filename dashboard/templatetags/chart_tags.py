"""`{% chart %}`: an accessible, server-drawn SVG bar chart (dashboard.charts) for any staff page.

    {% chart rows kind="columns" title="Promise-kept rate by week" desc="..." maximum=100 unit="%" %}

`rows` is a list of (label, value) pairs; value None draws nothing and reads "no data". The SVG
carries a <title> and <desc> (role="img", aria-labelledby), each shape has its own <title> so a
pointer shows the exact figure, and the table with the same numbers stays beside it.
"""

from itertools import count

from django import template
from django.utils.safestring import SafeString, mark_safe

from dashboard import charts

register = template.Library()

_ids = count(1)


@register.simple_tag
def chart(
    rows,
    *,
    kind: str = "columns",
    title: str,
    desc: str = "",
    maximum: float | None = None,
    unit: str = "",
    tones: str = "plain",
    label_every: int = 1,
    empty_text: str = "No data for this period.",
) -> SafeString:
    rows = [(str(label), value) for label, value in rows]
    if kind == "bars":
        drawn = charts.bars(rows, maximum=maximum, unit=unit, tones=tones)
    else:
        drawn = charts.columns(
            rows, maximum=maximum, unit=unit, tones=tones, label_every=label_every
        )
    # The trailing newline is the one the chart's template used to end with.
    html = charts.svg(
        drawn,
        title=title,
        desc=desc or f"{len(rows)} values; the same figures are in the table beside the chart.",
        chart_id=f"chart-{next(_ids)}",
        empty_text=empty_text,
    )
    return mark_safe(html + "\n")
