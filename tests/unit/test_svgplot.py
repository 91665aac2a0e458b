"""The benchmark's plot: a valid SVG a browser shows, lines inside the axes, labels readable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from schakel_dev.svgplot import BOTTOM, HEIGHT, LEFT, TOP, WIDTH, line_chart, nice_step, stacked

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("span", "step"), [(47.0, 10.0), (300.0, 100.0), (0.9, 0.2), (12.0, 5.0), (0.0, 1.0)]
)
def test_axis_steps_are_round_numbers(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


def chart() -> ET.Element:
    text = line_chart(
        {
            "accepted <at> gateway & co": [(0.0, 0.0), (9.0, 300.0)],
            "archived": [(0.5, 10.0), (45.5, 300.0)],
        },
        title="300 signals & 8 clients",
        x_label="seconds",
        y_label="signals",
    )
    return ET.fromstring(text)


def test_each_series_is_a_line_inside_the_plot_area() -> None:
    lines = chart().findall(f"{SVG}polyline")
    assert [line.findtext(f"{SVG}title") for line in lines] == [
        "accepted <at> gateway & co",
        "archived",
    ]
    for line in lines:
        for point in line.attrib["points"].split():
            x, y = map(float, point.split(","))
            assert LEFT <= x <= WIDTH and TOP <= y <= HEIGHT
    origin = tuple(map(float, lines[0].attrib["points"].split()[0].split(",")))
    assert origin == (LEFT, HEIGHT - BOTTOM)  # (0, 0) sits in the lower left corner


def test_title_and_axis_labels_are_shown() -> None:
    texts = [t.text for t in chart().iter(f"{SVG}text")]
    assert "300 signals & 8 clients" in texts
    assert {"seconds", "signals", "0", "300"} <= set(texts)


def test_no_data_still_gives_an_empty_chart() -> None:
    empty = ET.fromstring(line_chart({}, title="nothing", x_label="x", y_label="y"))
    assert empty.findall(f"{SVG}polyline") == []


def test_stacked_charts_sit_one_below_the_other_in_one_valid_svg() -> None:
    one = line_chart({"a": [(0.0, 1.0)]}, title="first", x_label="s", y_label="n")
    two = line_chart({"b": [(0.0, 2.0)]}, title="second", x_label="s", y_label="records")
    outer = ET.fromstring(stacked([one, two]))
    assert outer.get("height") == str(2 * HEIGHT)
    charts = outer.findall(f"{SVG}svg")
    assert [c.get("y") for c in charts] == ["0", str(HEIGHT)]
    assert [c.findall(f"{SVG}text")[0].text for c in charts] == ["first", "second"]
