"""Server-rendered SVG charts (pygal) for the numbers page: no JavaScript, nothing from a CDN."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_STYLE_OPTIONS: dict[str, object] = dict(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2330",
    foreground_strong="#1d2330",
    foreground_subtle="#5b6475",
    font_family='"Noto Sans CJK SC", system-ui, sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=15,
    value_font_size=11,
)
_DEFAULT_COLORS = ("#c8102e", "#17803d", "#b45309", "#2563eb", "#6b7280", "#7c3aed")


def _style(colors: Sequence[str] | None) -> Style:
    return Style(**_STYLE_OPTIONS, colors=tuple(colors or _DEFAULT_COLORS))


def _integer_ticks(top: float) -> list[int]:
    """Whole-number ticks from 0 to at least ``top`` (counts have no fractions), about eight of them."""
    step = max(1, math.ceil(top / 8))
    return list(range(0, max(1, math.ceil(top)) + step, step))


def _config(*, title: str, height: int, colors: Sequence[str] | None = None) -> dict[str, object]:
    return {
        "title": title,
        "style": _style(colors),
        "width": 800,
        "height": height,
        # pygal links its tooltip script from a CDN by default; the console ships none.
        "js": [],
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "print_values": False,
        "show_y_guides": True,
        "no_data_text": "—",
        "truncate_label": -1,
    }


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    stacked: bool = False,
    horizontal: bool = False,
    height: int = 320,
    x_label_rotation: int = 0,
    colors: Sequence[str] | None = None,
) -> SafeString:
    """An SVG bar chart of counts, one bar group per label; ``series`` maps a legend name to one value per label."""
    kind = {
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
    }[(stacked, horizontal)]
    chart = kind(**_config(title=title, height=height, colors=colors), x_label_rotation=x_label_rotation)
    chart.x_labels = list(labels)
    columns = list(zip(*series.values(), strict=True)) if series else []
    totals = [
        sum(v or 0 for v in column) if stacked else max((v or 0 for v in column), default=0)
        for column in columns
    ]
    chart.y_labels = _integer_ticks(max(totals, default=0))
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    height: int = 300,
    y_range: tuple[float, float] | None = None,
    x_label_rotation: int = 0,
) -> SafeString:
    """An SVG line chart; ``None`` values leave a gap (a day without data is not a zero)."""
    chart = pygal.Line(
        **_config(title=title, height=height),
        range=y_range,
        allow_interruptions=True,
        dots_size=4,
        x_label_rotation=x_label_rotation,
        show_minor_x_labels=False,
    )
    chart.x_labels = list(labels)
    chart.x_labels_major = list(labels)[:: max(1, len(labels) // 10)]
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart)


_INLINE_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _render(chart: pygal.graph.graph.Graph) -> SafeString:
    # pygal builds the SVG with an XML library, which escapes every label and title we pass in. Its
    # inline config script only feeds the (unshipped) tooltip library, and the CSP would refuse it.
    svg = _INLINE_SCRIPT.sub("", chart.render(is_unicode=True))
    return mark_safe(svg)  # noqa: S308
