"""The follow-up's charts, drawn on the server as SVG by pygal (its JavaScript switched
off): a trend with its target line, and bars by a dimension. No CDN and no script: the
SVG is part of the page.

Each chart is an image to assistive technology, named by its own ``<title>`` and
``<desc>``, and the page follows it with the same numbers as a table. The target line is
dashed and the figures drawn with dots, so the two differ by more than colour.
"""

import uuid
from collections.abc import Callable, Sequence
from xml.etree import ElementTree

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.etree import etree as pygal_etree
from pygal.style import Style

from followup.indicators import Indicator
from followup.vocabulary import Unit

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


def _share_formatter(value: float) -> str:
    return f"{value * 100:.0f} %"


def _count_formatter(value: float) -> str:
    return f"{value:.0f}"


def _options(share: bool, formatter: Callable[[float], str] | None = None, **extra) -> dict:
    """pygal's options: a share is drawn from 0 to 100 %; anything else on the scale its
    values need, its values written by ``formatter`` (whole numbers by default)."""
    if formatter is None:
        formatter = _share_formatter if share else _count_formatter
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
        "value_formatter": formatter,
        **extra,
    }


def _is_share(indicator: Indicator | None, share: bool | None) -> bool:
    """A region indicator says itself whether it is a share; a chart of anything else
    (a clinic's own indicator) says so with ``share``."""
    if share is not None:
        return share
    return indicator is not None and indicator.unit == Unit.SHARE


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
    indicator: Indicator | None,
    labels: Sequence[str],
    values: Sequence[float | None],
    target_line: Sequence[float | None] | None,
    *,
    title: str,
    description: str,
    value_label: str,
    target_label: str,
    share: bool | None = None,
    formatter: Callable[[float], str] | None = None,
    value_range: tuple[float, float] | None = None,
) -> SafeString:
    """A line of ``values`` over ``labels`` (None: no figure, a gap), with the dashed
    ``target_line`` if given. ``indicator`` (a region indicator) or ``share`` says whether
    the values are shares; ``value_range`` sets the scale (a share's is 0 to 100 %)."""
    options = _options(_is_share(indicator, share), formatter, dots_size=4, show_dots=True)
    if value_range is not None:
        options["range"] = value_range
    chart = pygal.Line(**options)
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
    indicator: Indicator | None,
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    value_label: str,
    share: bool | None = None,
    formatter: Callable[[float], str] | None = None,
) -> SafeString:
    height = max(200, 40 + 28 * len(bars))
    options = _options(_is_share(indicator, share), formatter, height=height, show_legend=False)
    chart = pygal.HorizontalBar(**options)
    # pygal draws the first bar at the bottom: reversed, the chart reads as the table.
    bars = list(reversed(bars))
    chart.x_labels = [label for label, _value in bars]
    chart.add(value_label, [value for _label, value in bars])
    return _accessible(chart, title, description)
