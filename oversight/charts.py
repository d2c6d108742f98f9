"""The portfolio's charts: server-side SVG drawn by pygal from a ``portfolio.Table``, made
accessible and inert before it is embedded in the page.

* No script: pygal's tooltips are JavaScript; the chart is rendered with ``js=[]`` and the
  configuration ``<script>`` pygal still writes is removed (``accessible_svg`` refuses to
  return an SVG that holds one), so the page has no inline script.
* A text alternative: the SVG is ``role="img"``, named by its own ``<title>`` and described by
  its ``<desc>``, which summarises the numbers (``describe``); the table beside it holds them all.
* Colours: every series colour has at least 3:1 contrast on white (WCAG 1.4.11), the text
  at least 4.5:1; meaning is never in the colour alone (the legend and the table say it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pygal
from lxml import etree
from pygal.style import Style

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.templatetags.agreement_format import format_number, kr

from .portfolio import COUNT, MONEY, Table

SVG = "http://www.w3.org/2000/svg"

# Series colours, each ≥ 3:1 on white (the ratio is asserted in the tests): blue 7.1, orange
# 5.0, green 5.1, purple 8.2, teal 5.6, pink 7.0, brown 9.3, olive 5.7.
PALETTE = ("#1f5a96", "#b3541e", "#2e7d32", "#7b1fa2", "#0b7285", "#ad1457", "#5d4037", "#6a6a00")
MONEY_COLOURS = ("#1f5a96", "#2e7d32", "#b3541e")  # public, partners' money, in kind
HEALTH_COLOURS = ("#2e7d32", "#8a6100", "#b71c1c")  # on time 5.1, due soon 5.5, overdue 6.6
TEXT = "#212529"
TEXT_SUBTLE = "#595959"  # 7.0:1 on white
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif'


@dataclass(frozen=True)
class ChartSpec:
    chart: type
    intro: Any  # the text alternative's first sentence (what the chart is)
    colours: tuple[str, ...] = PALETTE
    options: dict = field(default_factory=dict)


CHARTS: dict[str, ChartSpec] = {
    "skeden": ChartSpec(
        pygal.Bar,
        gettext_lazy("Bar chart of the number of IOPs in each stage, one bar per committee."),
        options={"x_label_rotation": 35},
    ),
    "pengar": ChartSpec(
        pygal.Bar,
        gettext_lazy(
            "Grouped bar chart of the public money, the partners' money and the partners' "
            "contributions in kind per year, in kronor."
        ),
        colours=MONEY_COLOURS,
    ),
    "uppfoljning": ChartSpec(
        pygal.StackedBar,
        gettext_lazy(
            "Stacked bar chart of the IOPs being followed up per committee: on time, due soon "
            "and overdue."
        ),
        colours=HEALTH_COLOURS,
        options={"x_label_rotation": 20},
    ),
    "initiativ": ChartSpec(
        pygal.Line,
        gettext_lazy("Line chart of the initiatives received over time."),
        options={"dots_size": 4, "stroke_style": {"width": 3}},
    ),
}


def format_value(value: Any, kind: str) -> str:
    """A value as the page writes it: kronor grouped with a narrow space, counts as numbers."""
    if kind == MONEY:
        return kr(value)
    return format_number(Decimal(value or 0), decimals=0)


def describe(table: Table, spec: ChartSpec) -> str:
    """The chart's text alternative: what it is, then each row's non-zero charted values."""
    charted = table.charted
    parts = [str(spec.intro)]
    for row in table.rows:
        values = [
            f"{column.label} {format_value(row.values[i], column.kind)}"
            for i, column in charted
            if row.values[i]
        ]
        if values:
            parts.append(f"{row.label}: {', '.join(values)}.")
    if len(parts) == 1:
        parts.append(_("Nothing to show for the filters chosen."))
    return " ".join(parts)


def _count_ticks(table: Table, *, stacked: bool) -> list[int]:
    """Whole-number ticks for a chart of counts (pygal would draw 0,5 IOPs)."""
    charted = table.charted
    if stacked:
        top = max((sum(row.values[i] for i, _c in charted) for row in table.rows), default=0)
    else:
        top = max((row.values[i] for row in table.rows for i, _c in charted), default=0)
    step = max(1, math.ceil(top / 5))
    return list(range(0, top + step + 1, step))


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=TEXT,
        foreground_strong=TEXT,
        foreground_subtle=TEXT_SUBTLE,
        opacity="1",
        opacity_hover="1",
        colors=colours,
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=14,
        title_font_size=16,
    )


def render_chart(
    table: Table, *, chart_id: str | None = None, styles: list[str] | None = None
) -> SafeString:
    """The table's chart as inline, accessible SVG. With ``styles``, the chart's own style
    sheet is taken out of the SVG and appended there, for the page's <head> (under the
    Content-Security-Policy it needs the page's nonce, which HTML allows only there)."""
    spec = CHARTS[table.slug]
    chart_id = chart_id or f"chart-{table.slug}"
    charted = table.charted
    kinds = {c.kind for _i, c in charted}
    money = MONEY in kinds
    options = {
        "js": [],
        "disable_xml_declaration": True,
        "style": _style(spec.colours),
        "width": 900,
        "height": 420,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(len(charted), 4) or 1,
        "show_legend": len(charted) > 1,
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": False,
        "no_data_text": _("No data"),
        "value_formatter": (lambda v: format_value(v, MONEY if money else COUNT)),
        "margin": 16,
        **spec.options,
    }
    if not money:
        options["y_labels"] = _count_ticks(table, stacked=spec.chart is pygal.StackedBar)
    chart = spec.chart(**options)
    chart.x_labels = [row.label for row in table.rows]
    for i, column in charted:
        chart.add(column.label, [_number(v) for v in table.series(i)])
    svg = chart.render(is_unicode=True)
    return accessible_svg(
        svg, chart_id=chart_id, title=table.title, desc=describe(table, spec), styles=styles
    )


def _number(value: Any) -> float | int:
    return float(value) if isinstance(value, Decimal) else (value or 0)


_ROOT_ID = re.compile(r'id="(chart-[0-9a-f-]{36})"')


def accessible_svg(
    svg: str, *, chart_id: str, title: str, desc: str, styles: list[str] | None = None
) -> SafeString:
    """pygal's SVG made inert and accessible: the scripts, comments and pygal's own tooltip
    titles and descriptions removed; ``role="img"`` with our ``<title>`` and ``<desc>`` first;
    the random chart id replaced by ``chart_id`` (its style rules are scoped by it)."""
    found = _ROOT_ID.search(svg)
    if found:
        svg = svg.replace(found.group(1), chart_id)
    root = etree.fromstring(svg.encode())
    for element in root.xpath(
        "//svg:script | //svg:title | //svg:desc | //comment()", namespaces={"svg": SVG}
    ):
        element.getparent().remove(element)
    # The Content-Security-Policy lets no inline style through: pygal's <style> goes to the
    # page's <head> (with its nonce), and its style="" attributes (the tooltip's
    # "opacity: 0") become the presentation attributes SVG has for them.
    if styles is not None:
        for element in root.xpath("//svg:style", namespaces={"svg": SVG}):
            styles.append(element.text or "")
            element.getparent().remove(element)
    for element in root.xpath("//*[@style]"):
        declarations = element.attrib.pop("style").split(";")
        for prop, _sep, value in (d.partition(":") for d in declarations if d.strip()):
            element.set(prop.strip(), value.strip())
    # pygal numbers its legend groups the same in every chart ("activate-serie-0"): scoped
    # by the chart, two charts on one page have no id twice.
    for element in root.xpath("//*[starts-with(@id, 'activate-serie-')]"):
        element.set("id", f"{chart_id}-{element.get('id')}")
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title")
    root.set("aria-describedby", f"{chart_id}-desc")
    root.set("focusable", "false")
    root.set("class", "portfolio-chart w-100 h-auto")
    title_el = etree.Element(f"{{{SVG}}}title", id=f"{chart_id}-title")
    title_el.text = title
    desc_el = etree.Element(f"{{{SVG}}}desc", id=f"{chart_id}-desc")
    desc_el.text = desc
    root.insert(0, desc_el)
    root.insert(0, title_el)
    output = etree.tostring(root, encoding="unicode")
    if "<script" in output.lower() or "javascript:" in output.lower():
        raise ValueError("the chart still holds a script")
    # Our own SVG: pygal and lxml escape every text and attribute it holds.
    return mark_safe(output)  # nosec B308, B703  # our SVG, escaped by pygal
