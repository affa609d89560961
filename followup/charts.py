"""The follow-up's charts, drawn on the server as SVG by pygal (its JavaScript switched
off): a trend with its target line, and bars by a dimension. No CDN and no script: the
SVG is part of the page.

Each chart is an image to assistive technology, named by its own ``<title>`` and
``<desc>``, and the page follows it with the same numbers as a table. The target line is
dashed and the figures drawn with dots, so the two differ by more than colour.
"""

import uuid
from collections.abc import Sequence
from xml.etree import ElementTree

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.etree import etree as pygal_etree
from pygal.style import Style

from followup.indicators import Indicator, Unit

# pygal builds its tree with lxml when lxml is installed; the title and description are
# added with the standard library's ElementTree, so pygal uses that too.
pygal_etree.to_etree()

# The app's own colours (static/css/app.css): the brand blue for the figures, a dark grey
# for the target, both above 3:1 against white (WCAG 1.4.11).
_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#00537e", "#4a4a4a"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
)


def _options(indicator: Indicator, **extra) -> dict:
    share = indicator.unit == Unit.SHARE
    return {
        "style": _STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 800,
        "height": 360,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "range": (0, 1) if share else None,
        "value_formatter": (lambda v: f"{v * 100:.0f} %") if share else (lambda v: f"{v:.0f}"),
        **extra,
    }


def _accessible(chart, title: str, description: str) -> SafeString:
    """The chart's SVG with an image role, a title and a description of its own."""
    tree = chart.render_tree()  # plain tag names; the root carries the SVG namespace
    # pygal writes its configuration as a script even with its JavaScript switched off
    # (nothing reads it here), and a title of its own.
    for parent in tree.iter():
        for child in [c for c in parent if c.tag in ("script", "title", "desc")]:
            parent.remove(child)
    ident = f"chart-{uuid.uuid4().hex[:8]}"
    tree.set("role", "img")
    tree.set("aria-labelledby", f"{ident}-title {ident}-desc")
    tree.set("focusable", "false")
    title_element = ElementTree.Element("title", id=f"{ident}-title")
    title_element.text = title
    desc_element = ElementTree.Element("desc", id=f"{ident}-desc")
    desc_element.text = description
    tree.insert(0, desc_element)
    tree.insert(0, title_element)
    # Safe: a tree built here, whose texts (names of providers among them) the serializer
    # escapes.
    return mark_safe(ElementTree.tostring(tree, encoding="unicode"))


def trend_chart(
    indicator: Indicator,
    labels: Sequence[str],
    values: Sequence[float | None],
    target_line: Sequence[float | None] | None,
    *,
    title: str,
    description: str,
    value_label: str,
    target_label: str,
) -> SafeString:
    chart = pygal.Line(**_options(indicator, dots_size=4, show_dots=True))
    chart.x_labels = list(labels)
    chart.add(value_label, list(values))
    if target_line is not None:
        chart.add(
            target_label,
            list(target_line),
            show_dots=False,
            stroke_style={"width": 2, "dasharray": "8, 6"},
        )
    return _accessible(chart, title, description)


def bar_chart(
    indicator: Indicator,
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    value_label: str,
) -> SafeString:
    height = max(200, 40 + 28 * len(bars))
    chart = pygal.HorizontalBar(**_options(indicator, height=height, show_legend=False))
    # pygal draws the first bar at the bottom: reversed, the chart reads as the table.
    bars = list(reversed(bars))
    chart.x_labels = [label for label, _value in bars]
    chart.add(value_label, [value for _label, value in bars])
    return _accessible(chart, title, description)
