"""Server-rendered SVG charts: readable without JavaScript, accessible, and safe under the strict CSP.

A chart is an image with a <title> and <desc> (role="img", aria-labelledby), axis labels, and
series told apart by marker shape, dash pattern or hatching as well as colour; the page puts
its data table next to it. No style attributes and no <style> element (the CSP forbids them):
colours come from CSS classes in static/style.css. Every piece of text is escaped through
markupsafe (a category may be called "<script>"), so the markup is safe to embed as it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from forum.core.i18n import _

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 80, 16, 40, 52
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TICKS = 4
MAX_X_LABELS = 8
SERIES_STYLES = 4  # marker shapes, dash patterns and fills; series beyond repeat them
DASHES = ("", "6 4", "2 3", "8 3 2 3")
SAFE_ID = re.compile(r"[a-z][a-z0-9-]{0,60}")


def plain_number(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Series:
    """One named line or set of bars; None marks a missing value (a gap, not a zero)."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart's data and its rendered SVG; rows() gives the same data for the table beside it."""

    id: str
    title: str
    description: str
    x_label: str
    y_label: str
    labels: Sequence[str]
    series: Sequence[Series]
    value_format: Callable[[float], str] = plain_number
    tick_format: Callable[[float], str] | None = None
    svg: Markup = field(default=Markup(""), compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(value is None for s in self.series for value in s.values)

    def rows(self) -> list[tuple[str, list[str]]]:
        """Per x label, each series' value formatted ("—" where there is none)."""
        return [(label, [_cell(self, s.values[i] if i < len(s.values) else None) for s in self.series])
                for i, label in enumerate(self.labels)]


def _cell(chart: Chart, value: float | None) -> str:
    return "—" if value is None else chart.value_format(value)


@dataclass(frozen=True)
class Scale:
    """The y axis: 0 to top in TICKS equal steps."""

    top: float

    def y(self, value: float) -> float:
        return TOP + PLOT_H - PLOT_H * min(max(value, 0), self.top) / self.top

    def ticks(self) -> list[float]:
        return [self.top * i / TICKS for i in range(TICKS + 1)]


def nice_scale(values: Sequence[float | None], top: float | None = None, steps: Sequence[float] = (),
               whole: bool = False) -> Scale:
    """A y axis whose ticks are round numbers: a fixed top (rates: 1), one of `steps`, or 1-2-5 steps."""
    if top is not None:
        return Scale(top)
    highest = max((v for v in values if v is not None), default=0) or 0
    if highest <= 0:
        return Scale((steps[0] if steps else 1) * TICKS)  # nothing to show: still a readable axis
    for step in steps:
        if step * TICKS >= highest:
            return Scale(step * TICKS)
    raw = max(highest / TICKS, 1e-9)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return Scale(max(step, 1) * TICKS if whole else step * TICKS)


def _x(index: int, count: int) -> float:
    """The centre of the index-th of count equal bands across the plot (one point sits in the middle)."""
    return LEFT + PLOT_W * (index + 0.5) / count


def _num(value: float) -> str:
    return f"{value:.1f}"


def _e(text: object) -> str:
    """Escape text for SVG markup: every caller-supplied string goes through here (numbers use _num)."""
    return str(escape(text))


def _frame(chart: Chart, scale: Scale) -> list[str]:
    """Axes, gridlines, tick labels and axis titles."""
    word = chart.tick_format or chart.value_format
    parts = ['<g class="chart-grid">']
    for tick in scale.ticks():
        y = _num(scale.y(tick))
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y}" y2="{y}"/>'
                     f'<text class="chart-tick" x="{LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
                     f"{_e(word(tick))}</text>")
    parts.append("</g>")
    every = max(1, math.ceil(len(chart.labels) / MAX_X_LABELS))
    parts.extend(f'<text class="chart-tick" x="{_num(_x(index, len(chart.labels)))}" y="{TOP + PLOT_H + 18}" '
                 f'text-anchor="middle">{_e(label)}</text>'
                 for index, label in enumerate(chart.labels) if index % every == 0)
    parts.append(f'<line class="chart-axis" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}"/>'
                 f'<text class="chart-axis-label" x="{_num(LEFT + PLOT_W / 2)}" y="{HEIGHT - 8}" text-anchor="middle">'
                 f"{_e(chart.x_label)}</text>"
                 f'<text class="chart-axis-label" transform="rotate(-90)" x="{_num(-(TOP + PLOT_H / 2))}" y="16" '
                 f'text-anchor="middle">{_e(chart.y_label)}</text>')
    return parts


def _marker(style: int, x: float, y: float, label: str | None) -> str:
    """A point drawn in the series' own shape (circle, square, triangle, diamond) with its value as a tooltip."""
    x, y, x0, y0, x1, y1 = (_num(v) for v in (x, y, x - 4, y - 4, x + 4, y + 4))
    element, geometry = (
        ("circle", f'cx="{x}" cy="{y}" r="4"'),
        ("rect", f'x="{x0}" y="{y0}" width="8" height="8"'),
        ("polygon", f'points="{x},{y0} {x1},{y1} {x0},{y1}"'),
        ("polygon", f'points="{x},{y0} {x1},{y} {x},{y1} {x0},{y}"'),
    )[style % SERIES_STYLES]
    tooltip = f"<title>{_e(label)}</title>" if label is not None else ""
    return f'<{element} {geometry} class="chart-marker chart-series-{style % SERIES_STYLES}">{tooltip}</{element}>'


def _legend(chart: Chart, swatch: Callable[[int, float, float], str]) -> list[str]:
    parts, x = [], LEFT
    for index, series in enumerate(chart.series):
        parts.append(swatch(index, x, 16))
        parts.append(f'<text class="chart-legend" x="{x + 14}" y="20">{_e(series.name)}</text>')
        x += 28 + 7 * len(series.name)
    return parts


def _tooltip(chart: Chart, series: Series, index: int, value: float) -> str:
    """Plain text (the caller escapes it): which series, which label, what value."""
    return f"{series.name}, {chart.labels[index]}: {chart.value_format(value)}"


def _dash(style: int) -> str:
    return f' stroke-dasharray="{DASHES[style]}"' if DASHES[style] else ""


def _lines(chart: Chart, scale: Scale) -> list[str]:
    """Each series as dashed line segments (broken where a value is missing) plus a marker per value."""
    parts, count = [], len(chart.labels)
    for index, series in enumerate(chart.series):
        style = index % SERIES_STYLES
        segments: list[list[str]] = [[]]
        for i, value in enumerate(series.values[:count]):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{_num(_x(i, count))},{_num(scale.y(value))}")
        parts.extend(f'<polyline class="chart-line chart-series-{style}" fill="none" points="{" ".join(points)}"'
                     f"{_dash(style)}/>" for points in segments if len(points) > 1)
        parts.extend(_marker(style, _x(i, count), scale.y(value), _tooltip(chart, series, i, value))
                     for i, value in enumerate(series.values[:count]) if value is not None)
    return parts


def _line_swatch(index: int, x: float, y: float) -> str:
    style = index % SERIES_STYLES
    return (f'<line class="chart-line chart-series-{style}" x1="{x - 2}" x2="{x + 10}" y1="{y}" y2="{y}"'
            f"{_dash(style)}/>" + _marker(style, x + 4, y, None))


def _fill(chart: Chart, index: int) -> str:
    """The first series is solid; the others are hatched or dotted, so print and colour-blind readers can tell."""
    return f'fill="url(#{chart.id}-fill-{index % SERIES_STYLES})"'


def _patterns(chart: Chart) -> str:
    marks = (
        "",
        '<line class="chart-hatch" x1="0" y1="0" x2="0" y2="6"/>',
        '<line class="chart-hatch" x1="3" y1="0" x2="3" y2="6"/>'
        '<line class="chart-hatch" x1="0" y1="3" x2="6" y2="3"/>',
        '<circle class="chart-hatch-dot" cx="3" cy="3" r="1.3"/>',
    )
    angles = (0, 45, 0, 0)
    patterns = "".join(
        f'<pattern id="{chart.id}-fill-{style}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate({angles[style]})"><rect class="chart-bar chart-series-{style}" width="6" '
        f'height="6"/>{marks[style]}</pattern>'
        for style in range(SERIES_STYLES)
    )
    return f"<defs>{patterns}</defs>"


def _bars(chart: Chart, scale: Scale) -> list[str]:
    parts, count = [], len(chart.labels)
    band = PLOT_W / count
    width = band * 0.7 / max(len(chart.series), 1)
    for index, series in enumerate(chart.series):
        for i, value in enumerate(series.values[:count]):
            if not value:
                continue
            x, top = LEFT + band * i + band * 0.15 + width * index, scale.y(value)
            parts.append(f'<rect class="chart-bar-outline" x="{_num(x)}" y="{_num(top)}" width="{_num(width)}" '
                         f'height="{_num(TOP + PLOT_H - top)}" {_fill(chart, index)}>'
                         f"<title>{_e(_tooltip(chart, series, i, value))}</title></rect>")
    return parts


def _bar_swatch_for(chart: Chart) -> Callable[[int, float, float], str]:
    def swatch(index: int, x: float, y: float) -> str:
        return f'<rect class="chart-bar-outline" x="{x}" y="{y - 6}" width="10" height="10" {_fill(chart, index)}/>'

    return swatch


def _render(chart: Chart, scale: Scale, kind: str) -> Markup:
    """The whole SVG. The id is checked by SAFE_ID, numbers come from _num, and all text goes through _e."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart.id}-title {chart.id}-desc">',
             f'<title id="{chart.id}-title">{_e(chart.title)}</title>',
             f'<desc id="{chart.id}-desc">{_e(chart.description)}</desc>']
    if kind == "bar":
        parts.append(_patterns(chart))
    parts.extend(_frame(chart, scale))
    if chart.is_empty:
        empty = _e(_("No data for this period"))
        parts.append(f'<text class="chart-empty" x="{_num(LEFT + PLOT_W / 2)}" y="{_num(TOP + PLOT_H / 2)}" '
                     f'text-anchor="middle">{empty}</text>')
    else:
        parts.extend(_bars(chart, scale) if kind == "bar" else _lines(chart, scale))
        parts.extend(_legend(chart, _bar_swatch_for(chart) if kind == "bar" else _line_swatch))
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704  # safe: every piece above is escaped or generated from numbers


@dataclass(frozen=True)
class Axes:
    """How to label and scale a chart: axis titles, the value format, and the y axis's top.

    top fixes the axis (rates: 1.0); otherwise the top is 4 x the first of `steps` that fits
    (durations: whole minutes or hours), or a 1-2-5 round number (whole: at least 1 per tick).
    tick_format, when given, words the y axis's ticks more briefly than the values ("1.5 h").
    """

    x_label: str
    y_label: str
    value_format: Callable[[float], str] = plain_number
    tick_format: Callable[[float], str] | None = None
    top: float | None = None
    steps: Sequence[float] = ()
    whole: bool = False


def _build(kind: str, chart_id: str, title: str, description: str, labels: Sequence[str],
           series: Sequence[Series], axes: Axes) -> Chart:
    if not SAFE_ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r}: use lowercase letters, digits and hyphens")
    chart = Chart(chart_id, title, description, axes.x_label, axes.y_label, list(labels), list(series),
                  axes.value_format, axes.tick_format)
    if chart.is_empty:
        chart = replace(chart, description=" ".join((description, _("No data for this period."))))
    scale = nice_scale([v for s in chart.series for v in s.values], top=axes.top, steps=axes.steps,
                       whole=axes.whole)
    return replace(chart, svg=_render(chart, scale, kind))


def line_chart(chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series],
               axes: Axes) -> Chart:
    """A line chart of series over labels (weeks, say); chart_id must be unique on the page."""
    return _build("line", chart_id, title, description, labels, series, axes)


def bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series],
              axes: Axes) -> Chart:
    """A grouped bar chart of series over labels; chart_id must be unique on the page."""
    return _build("bar", chart_id, title, description, labels, series, axes)
