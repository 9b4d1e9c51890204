"""The server-drawn SVG charts of the dashboard (dashboard.charts, {% chart %})."""

import re

import pytest
from django.template import Context, Template

from dashboard import charts


@pytest.mark.parametrize(
    ("value", "axis"),
    [(0, (1, 1)), (4, (4, 1)), (9, (10, 5)), (37, (40, 10)), (0.4, (0.4, 0.1))],
)
def test_value_axis_is_round_with_whole_steps_for_counts(value, axis):
    assert charts.nice_axis(value) == axis


def test_a_fixed_maximum_is_split_in_four():
    assert charts.nice_axis(40, maximum=100) == (100, 25)


def test_columns_are_proportional_to_their_values_on_a_shared_baseline():
    chart = charts.columns([("a", 2), ("b", 4), ("c", None)])
    a, b, c = chart.shapes
    assert b.height == charts.COLUMN_PLOT_HEIGHT  # the largest value reaches the top (axis 0-4)
    assert a.height == pytest.approx(b.height / 2)
    assert a.y + a.height == b.y + b.height == chart.plot_bottom
    assert (c.height, c.text) == (0, "no data")
    assert [tick.text for tick in chart.grid] == ["0", "1", "2", "3", "4"]
    assert a.x < b.x < c.x


def test_bars_scale_rates_to_a_hundred_and_colour_them():
    chart = charts.bars([("P1", 95.0), ("P2", 80), ("P3", 50)], maximum=100, unit="%", tones="rate")
    widths = [shape.width for shape in chart.shapes]
    span = chart.plot_right - chart.plot_left
    assert widths == [pytest.approx(span * 0.95), pytest.approx(span * 0.8), span / 2]
    assert [shape.tone for shape in chart.shapes] == ["good", "warn", "bad"]
    assert [shape.text for shape in chart.shapes] == ["95%", "80%", "50%"]
    assert chart.grid[-1].text == "100%"


def test_no_values_or_only_zero_counts_is_an_empty_chart_but_zero_percent_is_not():
    assert charts.columns([]).empty
    assert charts.columns([("00", 0), ("01", 0)]).empty
    assert not charts.bars([("Alice", 0.0)], maximum=100).empty


def test_long_labels_are_shortened():
    chart = charts.bars([("A customer with a very long registered name Ltd", 3)])
    assert chart.shapes[0].label.endswith("…")
    assert len(chart.shapes[0].label) == 24


def test_chart_tag_draws_an_accessible_svg():
    html = Template(
        "{% load chart_tags %}{% chart rows kind='bars' title='By owner' desc='Kept rate' "
        "maximum=100 unit='%' %}"
    ).render(Context({"rows": [("Alice <b>", 50.0), ("Ben", None)]}))
    svg = re.search(r"<svg.*</svg>", html, re.S).group(0)
    title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
    assert f'<title id="{title_id}">By owner</title>' in svg
    assert f'<desc id="{desc_id}">Kept rate</desc>' in svg
    assert 'role="img"' in svg
    assert "<title>Alice &lt;b&gt;: 50%</title>" in svg  # each bar says its figure, escaped
    assert "<title>Ben: no data</title>" in svg
    assert svg.count("<rect") == 2


def test_chart_tag_says_so_when_there_is_nothing_to_draw():
    html = Template(
        "{% load chart_tags %}{% chart rows title='Breaches' empty_text='No promise was broken.' %}"
    ).render(Context({"rows": [("00", 0)]}))
    assert "<svg" not in html
    assert "No promise was broken." in html


def _printed_values(html: str) -> list[str]:
    return re.findall(r'<text class="value"[^>]*>([^<]*)</text>', html)


def test_breaches_by_hour_print_each_hours_count_like_the_other_charts():
    hours = [(f"{hour:02d}", hour * 5) for hour in range(24)]  # up to 115 in one hour
    html = Template(
        "{% load chart_tags %}{% chart rows title='Breaches by hour of day' label_every=3 %}"
    ).render(Context({"rows": hours}))
    assert _printed_values(html) == [str(hour * 5) for hour in range(24)]


def test_values_that_would_overlap_are_left_to_the_table():
    year_of_weeks = [(f"w{week}", 87.5) for week in range(52)]  # "87.5%" in 11 units each
    chart = charts.columns(year_of_weeks, maximum=100, unit="%")
    assert not chart.value_labels
    html = Template("{% load chart_tags %}{% chart rows title='Weeks' maximum=100 unit='%' %}")
    assert _printed_values(html.render(Context({"rows": year_of_weeks}))) == []
    assert charts.columns(year_of_weeks[:13], maximum=100, unit="%").value_labels


# The markup templates/dashboard/charts/chart.html drew before charts.svg replaced it (the
# reference for "byte for byte").
CHART_TEMPLATE = """{% if chart.empty %}<p class="chart-empty empty">{{ empty_text }}</p>{% else %}<figure class="chart chart-{{ chart.kind }}">
<svg viewBox="0 0 {{ chart.width }} {{ chart.height }}" width="100%" role="img" aria-labelledby="{{ chart_id }}-title {{ chart_id }}-desc" preserveAspectRatio="xMinYMin meet">
  <title id="{{ chart_id }}-title">{{ title }}</title>
  <desc id="{{ chart_id }}-desc">{{ desc }}</desc>
  {% if chart.kind == "columns" %}
  <g class="gridlines" aria-hidden="true">{% for tick in chart.grid %}
    <line x1="{{ chart.plot_left }}" x2="{{ chart.plot_right }}" y1="{{ tick.y }}" y2="{{ tick.y }}"/>
    <text x="{{ tick.x }}" y="{{ tick.y }}" dy="4" text-anchor="end">{{ tick.text }}</text>{% endfor %}
  </g>
  <g class="shapes">{% for shape in chart.shapes %}
    <g class="shape"><title>{{ shape.label }}: {{ shape.text }}</title>
      <rect class="tone-{{ shape.tone }}" x="{{ shape.x }}" y="{{ shape.y }}" width="{{ shape.width }}" height="{{ shape.height }}" rx="2"/>{% if chart.value_labels and shape.value is not None %}
      <text class="value" x="{{ shape.text_x }}" y="{{ shape.text_y }}" text-anchor="middle">{{ shape.text }}</text>{% endif %}
    </g>{% endfor %}
  </g>
  <g class="axis" aria-hidden="true">
    <line x1="{{ chart.plot_left }}" x2="{{ chart.plot_right }}" y1="{{ chart.plot_bottom }}" y2="{{ chart.plot_bottom }}"/>{% for tick in chart.labels %}
    <text x="{{ tick.x }}" y="{{ tick.y }}" text-anchor="middle">{{ tick.text }}</text>{% endfor %}
  </g>
  {% else %}
  <g class="gridlines" aria-hidden="true">{% for tick in chart.grid %}
    <line x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ chart.plot_top }}" y2="{{ chart.plot_bottom }}"/>
    <text x="{{ tick.x }}" y="{{ tick.y }}" text-anchor="middle">{{ tick.text }}</text>{% endfor %}
  </g>
  <g class="shapes">{% for shape in chart.shapes %}
    <g class="shape"><title>{{ shape.label }}: {{ shape.text }}</title>
      <text class="label" x="{{ chart.plot_left }}" dx="-8" y="{{ shape.text_y }}" text-anchor="end">{{ shape.label }}</text>
      <rect class="tone-{{ shape.tone }}" x="{{ shape.x }}" y="{{ shape.y }}" width="{{ shape.width }}" height="{{ shape.height }}" rx="2"/>
      <text class="value" x="{{ shape.text_x }}" y="{{ shape.text_y }}">{{ shape.text }}</text>
    </g>{% endfor %}
  </g>
  {% endif %}
</svg>
</figure>{% endif %}
"""


@pytest.mark.parametrize(
    ("kind", "rows", "options"),
    [
        ("columns", [("w1 <x>", 92.5), ("w2", None), ("w3", 40.0)], {"maximum": 100, "unit": "%"}),
        ("columns", [(f"{h:02d}", h * 3) for h in range(24)], {"label_every": 3}),
        ("columns", [(f"w{w}", 87.5) for w in range(52)], {"maximum": 100, "unit": "%"}),
        ("bars", [("Alice & <Bob>", 95.0), ("P2", 80), ("Carol", None)], {"maximum": 100}),
        ("bars", [("A customer with a very long registered name Ltd", 3), ("B", 0.25)], {}),
        ("columns", [("00", 0)], {}),
        ("bars", [], {}),
    ],
)
def test_svg_is_the_markup_the_chart_template_drew(kind, rows, options):
    drawn = (charts.bars if kind == "bars" else charts.columns)(rows, **options)
    texts = {"title": "By <owner>", "desc": "Kept & due", "chart_id": "chart-7"}
    expected = Template(CHART_TEMPLATE).render(
        Context({"chart": drawn, "empty_text": "Nothing <here>.", **texts})
    )
    assert charts.svg(drawn, empty_text="Nothing <here>.", **texts) + "\n" == expected
