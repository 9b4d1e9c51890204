"""Server-drawn SVG bar charts for the manager dashboard: pure geometry, no request, no JavaScript.

Two shapes cover every trend: *columns* (a value per step along an axis: weeks, hours of the day,
age buckets) and *bars* (one horizontal bar per named group: owners, customers, priorities, loss
causes, where labels are long). `columns()` and `bars()` turn (label, value) rows into a `Chart` of
already-positioned shapes that `svg()` draws as HTML; `{% chart %}` in
dashboard/templatetags/chart_tags.py ties the two together. The numbers are always also in the table
beside the chart, so the SVG is a picture of the table, never the only place a figure lives.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import ceil, floor, log10

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Geometry in SVG user units; the SVG scales to its container (viewBox + width 100 %).
COLUMN_CHART_WIDTH = 640
COLUMN_PLOT_HEIGHT = 180
BAR_CHART_WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 8
LEFT_AXIS = 44
BAR_LABEL_WIDTH = 170
TOP = 12
BOTTOM_AXIS = 34
GRID_STEPS = 4
# A value printed above a column needs about this many units a character (12 px bold digits),
# plus a little air on each side; columns narrower than their widest value go without.
VALUE_CHAR_WIDTH = 7
VALUE_PADDING = 1


@dataclass(frozen=True)
class Shape:
    label: str
    value: float | None
    text: str  # the value as read aloud / printed at the bar's end
    x: float
    y: float
    width: float
    height: float
    tone: str  # a CSS class: "good", "warn", "bad" or "plain"
    text_x: float = 0  # where the value is printed
    text_y: float = 0


@dataclass(frozen=True)
class Tick:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    kind: str  # "columns" or "bars"
    width: float
    height: float
    shapes: list[Shape]
    grid: list[Tick] = field(default_factory=list)  # value gridlines with their labels
    labels: list[Tick] = field(default_factory=list)  # category labels along the axis
    plot_left: float = 0
    plot_right: float = 0
    plot_top: float = 0
    plot_bottom: float = 0
    empty: bool = False
    value_labels: bool = True  # each value printed on its shape (false when they would overlap)


def nice_axis(value: float, maximum: float | None = None) -> tuple[float, float]:
    """(top, step) of a value axis: gridlines every `step` (1, 2, 2.5 or 5 x 10^k, about four of them)
    up to `top`, the first multiple of `step` at or above `value`. A fixed `maximum` (100 for
    percentages) is split into four steps."""
    if maximum is not None:
        return maximum, maximum / GRID_STEPS
    if value <= 0:
        return 1, 1
    rough = value / GRID_STEPS
    magnitude = 10 ** floor(log10(rough))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    if value >= 1:  # counts have whole-number gridlines
        steps = [max(step, 1) for step in steps if step >= 1 and step == int(step)] or [1]
    step = next((step for step in steps if rough <= step), steps[-1])
    return step * ceil(value / step - 1e-9), step


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _tone(value: float | None, tones: str) -> str:
    """`tones="rate"` colours promise-kept percentages (90+ good, 75+ warn, else bad)."""
    if tones != "rate" or value is None:
        return "plain"
    if value >= 90:
        return "good"
    return "warn" if value >= 75 else "bad"


def _text(value: float | None, unit: str) -> str:
    return "no data" if value is None else f"{_fmt(value)}{unit}"


def columns(
    rows: Sequence[tuple[str, float | None]],
    *,
    maximum: float | None = None,
    unit: str = "",
    tones: str = "plain",
    label_every: int = 1,
) -> Chart:
    """Vertical columns, one per row, left to right. None is drawn as no column ("no data").

    `maximum` fixes the scale (100 for percentages); otherwise it is the largest value rounded up
    to a round number. `label_every` prints every n-th category label (24 hours do not fit).
    """
    values = [value for _, value in rows if value is not None]
    top, step = nice_axis(max(values, default=0), maximum)
    plot_left, plot_right = LEFT_AXIS, COLUMN_CHART_WIDTH - 8
    plot_top, plot_bottom = TOP, TOP + COLUMN_PLOT_HEIGHT
    slot = (plot_right - plot_left) / max(len(rows), 1)
    column_width = min(max(slot * 0.7, 1), 72)  # one week alone is not a wall of colour
    shapes, labels = [], []
    for index, (label, value) in enumerate(rows):
        height = 0 if value is None else COLUMN_PLOT_HEIGHT * min(value, top) / top
        x = plot_left + index * slot + (slot - column_width) / 2
        shapes.append(
            Shape(
                label=str(label),
                value=value,
                text=_text(value, unit),
                x=round(x, 2),
                y=round(plot_bottom - height, 2),
                width=round(column_width, 2),
                height=round(height, 2),
                tone=_tone(value, tones),
                text_x=round(x + column_width / 2, 2),
                text_y=round(plot_bottom - height - 4, 2),
            )
        )
        if index % label_every == 0:
            labels.append(Tick(str(label), round(x + column_width / 2, 2), plot_bottom + 16))
    grid = [
        Tick(
            f"{_fmt(tick)}{unit}",
            plot_left - 6,
            round(plot_bottom - COLUMN_PLOT_HEIGHT * tick / top, 2),
        )
        for tick in _ticks(top, step)
    ]
    return Chart(
        kind="columns",
        width=COLUMN_CHART_WIDTH,
        height=plot_bottom + BOTTOM_AXIS,
        shapes=shapes,
        grid=grid,
        labels=labels,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        empty=not values or (maximum is None and not any(values)),
        value_labels=_values_fit(shapes, slot),
    )


def _values_fit(shapes: list[Shape], slot: float) -> bool:
    """Every value fits above its column without touching its neighbours' (24 hours of counts
    do; a year of weekly percentages does not)."""
    widest = max((len(shape.text) for shape in shapes if shape.value is not None), default=0)
    return widest * VALUE_CHAR_WIDTH + 2 * VALUE_PADDING <= slot


def bars(
    rows: Sequence[tuple[str, float | None]],
    *,
    maximum: float | None = None,
    unit: str = "",
    tones: str = "plain",
) -> Chart:
    """Horizontal bars, one per row, top to bottom, the label on the left, the value at the end."""
    values = [value for _, value in rows if value is not None]
    top, step = nice_axis(max(values, default=0), maximum)
    plot_left, plot_right = BAR_LABEL_WIDTH, BAR_CHART_WIDTH - 56
    span = plot_right - plot_left
    shapes = []
    for index, (label, value) in enumerate(rows):
        length = 0 if value is None else span * min(value, top) / top
        shapes.append(
            Shape(
                label=_truncate(str(label)),
                value=value,
                text=_text(value, unit),
                x=plot_left,
                y=TOP + index * (BAR_HEIGHT + BAR_GAP),
                width=round(length, 2),
                height=BAR_HEIGHT,
                tone=_tone(value, tones),
                text_x=round(plot_left + length + 6, 2),
                text_y=TOP + index * (BAR_HEIGHT + BAR_GAP) + BAR_HEIGHT / 2 + 5,
            )
        )
    plot_bottom = TOP + len(rows) * (BAR_HEIGHT + BAR_GAP)
    grid = [
        Tick(f"{_fmt(tick)}{unit}", round(plot_left + span * tick / top, 2), plot_bottom + 14)
        for tick in _ticks(top, step)
    ]
    return Chart(
        kind="bars",
        width=BAR_CHART_WIDTH,
        height=plot_bottom + 24,
        shapes=shapes,
        grid=grid,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        empty=not values or (maximum is None and not any(values)),
    )


def _ticks(top: float, step: float) -> list[float]:
    return [round(step * index, 6) for index in range(round(top / step) + 1)]


def _truncate(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _n(number: float) -> str:
    """A coordinate as the template engine printed it (en-GB, no grouping: str())."""
    return str(number)


def svg(chart: Chart, *, title: str, desc: str, chart_id: str, empty_text: str) -> SafeString:
    """The chart's HTML: the figure and its SVG, or the empty-state sentence.

    Built in Python rather than through a template (the markup templates/dashboard/charts/
    chart.html used to draw, byte for byte): a dashboard draws eight charts of up to 24 shapes,
    and the template engine's per-value lookups and number localisation cost about 20 ms a page.
    Every text is escaped; numbers are plain.
    """
    if chart.empty:
        return mark_safe(f'<p class="chart-empty empty">{escape(empty_text)}</p>')
    parts = [
        f'<figure class="chart chart-{escape(chart.kind)}">\n'
        f'<svg viewBox="0 0 {_n(chart.width)} {_n(chart.height)}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">\n'
        f'  <title id="{chart_id}-title">{escape(title)}</title>\n'
        f'  <desc id="{chart_id}-desc">{escape(desc)}</desc>\n'
    ]
    left, right = _n(chart.plot_left), _n(chart.plot_right)
    add = parts.append
    if chart.kind == "columns":
        add('  \n  <g class="gridlines" aria-hidden="true">')
        for tick in chart.grid:
            y = _n(tick.y)
            add(
                f'\n    <line x1="{left}" x2="{right}" y1="{y}" y2="{y}"/>\n'
                f'    <text x="{_n(tick.x)}" y="{y}" dy="4" text-anchor="end">'
                f"{escape(tick.text)}</text>"
            )
        add('\n  </g>\n  <g class="shapes">')
        for shape in chart.shapes:
            text = escape(shape.text)
            add(
                f'\n    <g class="shape"><title>{escape(shape.label)}: {text}</title>\n'
                f'      <rect class="tone-{escape(shape.tone)}" x="{_n(shape.x)}" '
                f'y="{_n(shape.y)}" width="{_n(shape.width)}" height="{_n(shape.height)}" rx="2"/>'
            )
            if chart.value_labels and shape.value is not None:
                add(
                    f'\n      <text class="value" x="{_n(shape.text_x)}" y="{_n(shape.text_y)}" '
                    f'text-anchor="middle">{text}</text>'
                )
            add("\n    </g>")
        bottom = _n(chart.plot_bottom)
        add(
            f'\n  </g>\n  <g class="axis" aria-hidden="true">\n'
            f'    <line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>'
        )
        for tick in chart.labels:
            add(
                f'\n    <text x="{_n(tick.x)}" y="{_n(tick.y)}" text-anchor="middle">'
                f"{escape(tick.text)}</text>"
            )
        add("\n  </g>\n  ")
    else:
        top, bottom = _n(chart.plot_top), _n(chart.plot_bottom)
        add('  \n  <g class="gridlines" aria-hidden="true">')
        for tick in chart.grid:
            x = _n(tick.x)
            add(
                f'\n    <line x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>\n'
                f'    <text x="{x}" y="{_n(tick.y)}" text-anchor="middle">{escape(tick.text)}</text>'
            )
        add('\n  </g>\n  <g class="shapes">')
        for shape in chart.shapes:
            label, text, text_y = escape(shape.label), escape(shape.text), _n(shape.text_y)
            add(
                f'\n    <g class="shape"><title>{label}: {text}</title>\n'
                f'      <text class="label" x="{left}" dx="-8" y="{text_y}" text-anchor="end">'
                f"{label}</text>\n"
                f'      <rect class="tone-{escape(shape.tone)}" x="{_n(shape.x)}" '
                f'y="{_n(shape.y)}" width="{_n(shape.width)}" height="{_n(shape.height)}" rx="2"/>\n'
                f'      <text class="value" x="{_n(shape.text_x)}" y="{text_y}">{text}</text>\n'
                "    </g>"
            )
        add("\n  </g>\n  ")
    add("\n</svg>\n</figure>")
    return mark_safe("".join(parts))
