"""Server-rendered SVG charts: accessible, escaped, and sensible with no data or a single point."""

from __future__ import annotations

import re

import pytest

from forum.analytics import charts
from forum.analytics.charts import Axes, Series

COUNTS = Axes("Week starting", "Questions", whole=True)


def test_a_line_chart_is_an_image_with_a_title_and_description():
    chart = charts.line_chart("chart-a", "Questions per week", "Two weeks of questions.", ["2 Nov", "9 Nov"],
                                  [Series("Asked", [3, 5])], COUNTS)
    svg = str(chart.svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 640 280" '
                          'role="img" aria-labelledby="chart-a-title chart-a-desc">')
    assert '<title id="chart-a-title">Questions per week</title>' in svg
    assert '<desc id="chart-a-desc">Two weeks of questions.</desc>' in svg
    assert ">Week starting</text>" in svg and ">Questions</text>" in svg  # axis labels
    assert svg.count("<polyline") == 1 and "<title>Asked, 9 Nov: 5</title>" in svg
    assert " style=" not in svg and "<style" not in svg


def test_every_piece_of_text_is_escaped():
    evil = "<script>alert(1)</script>"
    chart = charts.bar_chart("chart-b", f"Cases in {evil}", f"Category {evil} & more", [evil],
                                 [Series(evil, [2])], Axes(evil, '"quoted"', whole=True))
    svg = str(chart.svg)
    assert "<script>" not in svg and '"quoted"' not in svg
    assert "<title id=\"chart-b-title\">Cases in &lt;script&gt;alert(1)&lt;/script&gt;</title>" in svg
    assert "Category &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in svg
    assert "&#34;quoted&#34;" in svg


def test_an_unsafe_chart_id_is_refused():
    with pytest.raises(ValueError):
        charts.line_chart('x" onload="alert(1)', "T", "D", [], [], COUNTS)


@pytest.mark.parametrize("labels, series", [([], []), (["2 Nov", "9 Nov"], [Series("Asked", [None, None])])])
def test_no_data_reads_as_no_data(labels, series):
    chart = charts.line_chart("chart-empty", "Median first response", "Per week.", labels, series, COUNTS)
    svg = str(chart.svg)
    assert chart.is_empty and chart.description == "Per week. No data for this period."
    assert ">No data for this period</text>" in svg and "<polyline" not in svg and "chart-marker" not in svg
    assert [tick for tick in re.findall(r'class="chart-tick"[^>]*>([^<]*)<', svg) if tick not in labels] == \
        ["0", "1", "2", "3", "4"]


def test_a_single_point_sits_in_the_middle_without_a_line():
    chart = charts.line_chart("chart-one", "Rates", "One week.", ["2 Nov"], [Series("Solve rate", [0.5])],
                                  Axes("Week", "Share", lambda v: f"{v:.0%}", top=1))
    svg = str(chart.svg)
    assert "<polyline" not in svg
    assert '<circle cx="352.0" cy="134.0" r="4" class="chart-marker chart-series-0">' \
           '<title>Solve rate, 2 Nov: 50%</title></circle>' in svg
    assert chart.rows() == [("2 Nov", ["50%"])]


def test_a_missing_value_breaks_the_line_and_shows_a_dash_in_the_table():
    chart = charts.line_chart("chart-gap", "T", "D.", ["a", "b", "c", "d"], [Series("S", [1, 2, None, 4])],
                                  COUNTS)
    assert str(chart.svg).count("<polyline") == 1  # a-b joined; d alone gets just its marker
    assert str(chart.svg).count('class="chart-marker chart-series-0"') == 3 + 1  # three values and the legend
    assert chart.rows() == [("a", ["1"]), ("b", ["2"]), ("c", ["—"]), ("d", ["4"])]


def test_series_differ_by_shape_and_pattern_not_colour_alone():
    lines = str(charts.line_chart("chart-l", "T", "D.", ["a", "b"],
                                      [Series("One", [1, 2]), Series("Two", [2, 1])], COUNTS).svg)
    assert "<circle" in lines and "<rect" in lines and 'stroke-dasharray="6 4"' in lines
    bars = str(charts.bar_chart("chart-g", "T", "D.", ["a"], [Series("One", [2]), Series("Two", [1]),
                                                                     Series("None", [0])], COUNTS).svg)
    assert 'fill="url(#chart-g-fill-0)"' in bars and 'fill="url(#chart-g-fill-1)"' in bars
    assert '<pattern id="chart-g-fill-1"' in bars and 'patternTransform="rotate(45)"' in bars
    assert bars.count("<title>") == 2  # a zero draws no bar; its value is in the table
    assert ">One</text>" in bars and ">Two</text>" in bars  # the legend names every series


@pytest.mark.parametrize(("values", "axes", "top"), [
    ([3, 1], Axes("x", "y", whole=True), 4),
    ([7], Axes("x", "y", whole=True), 8),
    ([0.3], Axes("x", "y", top=1), 1),
    ([0.3], Axes("x", "y"), 0.4),
    ([5400], Axes("x", "y", steps=(60, 1800, 3600)), 4 * 1800),
    ([], Axes("x", "y", whole=True), 4),
])
def test_the_y_axis_ends_on_a_round_number(values, axes, top):
    assert charts.nice_scale(values, top=axes.top, steps=axes.steps, whole=axes.whole).top == pytest.approx(top)


def test_ticks_may_be_worded_more_briefly_than_values():
    hours = Axes("Week", "Wait", value_format=lambda s: f"{s:g} seconds", tick_format=lambda s: f"{s / 3600:g} h",
                 steps=(1800, 3600))
    chart = charts.line_chart("chart-t", "Waits", "D.", ["a"], [Series("Median", [5400])], hours)
    assert re.findall(r'class="chart-tick"[^>]*text-anchor="end"[^>]*>([^<]*)<', str(chart.svg)) == \
        ["0 h", "0.5 h", "1 h", "1.5 h", "2 h"]
    assert chart.rows() == [("a", ["5400 seconds"])]
