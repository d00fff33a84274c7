import re

from reports import svg


def _texts(chart: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", chart)


def test_a_chart_scales_with_its_view_box():
    chart = svg.bar_chart(labels=["a"], series=[("x", [1])])
    assert re.search(r'viewBox="0 0 \d+ \d+"', chart)


def test_twenty_regions_of_four_bars_split_into_charts_that_fit_a_page():
    labels = [f"Region {n}" for n in range(20)]
    charts = svg.bar_charts(labels=labels, series=[(s, [50] * 20) for s in "abcd"], max_value=100, unit="%")
    heights = [int(re.search(r'height="(\d+)"', c).group(1)) for c in charts]
    assert len(charts) == 2
    assert all(h <= 560 for h in heights)  # at most 150 mm at the page's scale


def test_a_long_label_wraps_onto_two_lines_uncut():
    label = "Солтүстік Қазақстан облысы, Петропавл қаласы мектепке дейінгі ұйымдары"
    texts = _texts(svg.bar_chart(labels=[label], series=[("x", [1])]))
    assert " ".join(t for t in texts if t in label) == label


def test_axis_ticks_fall_on_round_numbers():
    texts = _texts(svg.bar_chart(labels=["a"], series=[("x", [5172])]))
    assert {"0", "2 000", "4 000", "6 000"} <= set(texts)


def test_a_percent_axis_says_percent():
    texts = _texts(svg.bar_chart(labels=["a"], series=[("x", [50])], max_value=100, unit="%"))
    assert "100 %" in texts
