"""The charts carry no inline style or script (the Content-Security-Policy refuses both);
their looks come from static/css/charts.css, which must be what pygal would have inlined."""

import re
from pathlib import Path

from django.conf import settings

from followup.charts import bar_chart, chart_stylesheet, trend_chart

CHARTS_CSS = Path(settings.BASE_DIR) / "static/css/charts.css"


def _charts() -> list[str]:
    trend = trend_chart(
        None,
        ["2025", "2026"],
        [0.4, None],
        [0.6, 0.6],
        title="Andel",
        description="Andelen mottagningar",
        value_label="Andel",
        target_label="Mål",
        share=True,
    )
    bars = bar_chart(
        None, [("Halmstad", 0.5), ("Varberg", None)], title="t", description="d", value_label="v"
    )
    return [str(trend), str(bars)]


def test_a_chart_has_no_style_element_no_style_attribute_and_no_script():
    for chart in _charts():
        assert "<style" not in chart
        assert not re.search(r"\sstyle=", chart)
        assert "<script" not in chart
        assert 'class="pygal-chart"' in chart


def test_the_chart_stylesheet_is_what_pygal_would_have_inlined():
    assert CHARTS_CSS.read_text(encoding="utf-8") == chart_stylesheet(), (
        "static/css/charts.css is out of date; write it again with: .venv/bin/python -c "
        "\"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tests.settings'; "
        "django.setup(); from pathlib import Path; from followup.charts import "
        "chart_stylesheet; Path('static/css/charts.css').write_text(chart_stylesheet())\""
    )


def test_the_target_line_is_dashed_by_the_stylesheet():
    css = chart_stylesheet()
    assert "svg.pygal-chart .series.serie-1{stroke-width:2;stroke-dasharray:8,6}" in css
    assert "#chart-" not in css
