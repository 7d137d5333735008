import re

from generator.render.charts import bar_chart, line_chart


def test_line_chart_is_deterministic_self_contained_and_tabulated():
    make = lambda: line_chart("length", "Median length", "Median words by year.", ["2001", "2002", "2003"],
                              {"Median words": [1200, None, 2500.4]}, y_title="Words")
    first, second = make(), make()
    assert first.svg == second.svg
    svg = first.svg.decode()
    assert "<script" not in svg and "kozea.github.io" not in svg
    assert not re.search(r"(?:href|src)=\"https?://", svg)
    assert first.headers == ("Year", "Median words")
    assert first.rows == (("2001", "1,200"), ("2002", ""), ("2003", "2,500"))
    assert first.path == "charts/length.svg"


def test_horizontal_bar_rows_keep_the_given_order():
    chart = bar_chart("parties", "Named third parties", "How many policies name each.",
                      ["Google Analytics", "DoubleClick"], [40, 12], "Policies", horizontal=True)
    assert chart.rows == (("Google Analytics", "40"), ("DoubleClick", "12"))
    assert b"Google Analytics" in chart.svg
