"""Static SVG charts, made with pygal at build time, each with a text alternative and a data table.

Charts are embedded with `<img>`: an SVG image can neither run scripts nor load
anything, and pygal's optional tooltip script (hosted by a third party) is switched off.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style

from generator.render import urls

# Mid-tone colours that read on both the light and the dark (slate) Material palettes,
# and stay distinct for the common colour-vision deficiencies (Okabe-Ito palette).
CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#777777",
    foreground_strong="#777777",
    foreground_subtle="#77777744",
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"),
    font_family="sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
)


@dataclass(frozen=True)
class Chart:
    """An SVG file plus what a screen reader or a reader without images gets instead."""

    name: str  # file name stem under charts/
    title: str
    description: str  # the alt text: what the chart shows, in a sentence
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    svg: bytes

    @property
    def path(self) -> str:
        return urls.chart_path(self.name)


def _finish(graph: pygal.graph.graph.Graph, name: str) -> bytes:
    # pygal stamps a random id and today's date into the file (which would break byte-identical
    # builds) and always adds a config script for its tooltips, which an <img> never runs anyway.
    graph.uuid = hashlib.sha256(name.encode()).hexdigest()[:12]
    svg = graph.render(is_unicode=True)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.S).encode("utf-8")


def _config(title: str, y_title: str | None, show_legend: bool) -> dict:
    return dict(style=CHART_STYLE, js=[], title=title, y_title=y_title, width=800, height=360,
                show_legend=show_legend, legend_at_bottom=True, print_values=False, explicit_size=False,
                disable_xml_declaration=True, truncate_label=-1, x_label_rotation=0)


def line_chart(name: str, title: str, description: str, x_labels: Sequence[str],
               series: Mapping[str, Sequence[float | None]], y_title: str | None = None,
               x_title: str = "Year", value_format: str = "{:,.0f}") -> Chart:
    graph = pygal.Line(**_config(title, y_title, show_legend=len(series) > 1), show_dots=len(x_labels) < 40, allow_interruptions=True)
    graph.x_labels = list(x_labels)
    if len(x_labels) > 12:
        graph.x_labels_major_every = max(1, len(x_labels) // 8)
        graph.show_minor_x_labels = False
    for label, values in series.items():
        graph.add(label, list(values))
    rows = tuple(
        (x, *("" if values[i] is None else value_format.format(values[i]) for values in series.values()))
        for i, x in enumerate(x_labels)
    )
    return Chart(name, title, description, (x_title, *series.keys()), rows, _finish(graph, name))


def bar_chart(name: str, title: str, description: str, labels: Sequence[str], values: Sequence[float],
              value_title: str, label_title: str = "", horizontal: bool = False,
              value_format: str = "{:,.0f}") -> Chart:
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    graph = kind(**_config(title, None if horizontal else value_title, show_legend=False))
    if horizontal:
        # pygal draws horizontal bars bottom-up; reverse so the first label is on top.
        labels, values = list(reversed(labels)), list(reversed(values))
    graph.x_labels = list(labels)
    graph.add(value_title, list(values))
    pairs = zip(reversed(labels), reversed(values)) if horizontal else zip(labels, values)
    rows = tuple((label, value_format.format(value)) for label, value in pairs)
    return Chart(name, title, description, (label_title, value_title), rows, _finish(graph, name))
