"""The Voortgang page: a household's scores over meetings as an SVG chart with a table, its signals with their rule."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from formkit.app.config import AppConfig
from formkit.app.svg import BOTTOM, HEIGHT, TOP, Series, score_chart
from formkit.plan.history import History, default_path
from formkit.plan.model import Participant, Plan, Score, Source
from formkit.plan.signals import FELL_RULE

from .client import config_for, signed_in

SVG = "{http://www.w3.org/2000/svg}"
MEETINGS = (dt.date(2026, 6, 2), dt.date(2026, 9, 1), dt.date(2026, 12, 1))
KIM = ("P1", "Kim Verhoef", "Wijkteam West")
ROB = ("P2", "Rob Claassen", "Politie")
IRIS = ("P3", "Iris Lammers", "Veilig Thuis")


def plan(dossier: str, household: str, meeting: dt.date, scores: list[tuple[tuple[str, str, str], int]]) -> Plan:
    """Return a plan with these scores, as a merge stores it in the history."""
    people = [Participant(code, name, org, "", "", code == "P1") for (code, name, org), _ in scores]
    return Plan(dossier, household, 1, meeting, people,
                scores=[Score(Source(code, name, org, f"{code}.xlsx", "C5"), score, str(score))
                        for (code, name, org), score in scores]).finish()


@pytest.fixture
def config(tmp_path, register_path) -> AppConfig:
    history = History(default_path(register_path))
    for meeting, kim, rob in zip(MEETINGS, (5, 7, 4), (6, 6, 8), strict=True):
        assert history.record(plan("2026-101", "Gezin Pietersen", meeting, [(KIM, kim), (ROB, rob)]))
    assert history.record(plan("2026-102", "Gezin Öztürk", MEETINGS[2], [(IRIS, 2)]))
    return config_for(tmp_path, register_path)


@pytest.fixture
def client(config) -> TestClient:
    return signed_in(config)


def chart(html: str) -> ET.Element:
    """Return the page's inline SVG, parsed."""
    found = re.search(r"<svg .*?</svg>", html, re.DOTALL)
    assert found, "geen grafiek op de pagina"
    return ET.fromstring(found.group(0))


def markers(svg: ET.Element) -> list[ET.Element]:
    """Return every point drawn: a <g class="punt"> placed by its transform, with its <title> and shape."""
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "punt"]


def place(marker: ET.Element) -> tuple[float, float]:
    """Return where a point stands on the chart (x, y), from its translate()."""
    found = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", marker.get("transform", ""))
    assert found, marker.get("transform")
    return float(found.group(1)), float(found.group(2))


def points(svg: ET.Element) -> dict[str, list[tuple[str, int, float]]]:
    """Return per person the points drawn: (meeting, score, height on the chart)."""
    return {g.get("data-wie", ""): [(m.get("data-overleg", ""), int(m.get("data-cijfer", "")), place(m)[1])
                                    for m in markers(g)]
            for g in svg.iter(f"{SVG}g") if "reeks" in (g.get("class") or "").split()}


def test_the_overview_lists_every_household_with_its_counts_only(client):
    page = client.get("/voortgang?op=2026-12-02")
    assert page.status_code == 200
    assert "Stand van zaken op 2 december 2026" in page.text
    assert 'href="/voortgang/2026-101?op=2026-12-02"' in page.text and "Gezin Öztürk" in page.text
    assert "daalde" not in page.text  # a signal's text names people: only on the household's own page
    assert "Kim Verhoef" not in page.text


def test_a_household_with_three_meetings_shows_three_points_per_person_with_the_right_values(client):
    page = client.get("/voortgang/2026-101?op=2026-12-02")
    assert page.status_code == 200
    assert "<h1>Voortgang dossier 2026-101</h1>" in page.text
    svg = chart(page.text)
    assert svg.findtext(f"{SVG}title") == "Veiligheidscijfers van dossier 2026-101"
    assert "over 3 overleggen" in (svg.findtext(f"{SVG}desc") or "")
    drawn = points(svg)
    assert [(day, score) for day, score, _ in drawn["Kim Verhoef"]] == [
        ("2026-06-02", 5), ("2026-09-01", 7), ("2026-12-01", 4)]
    assert [score for _, score, _ in drawn["Rob Claassen"]] == [6, 6, 8]
    heights = {score: y for _, score, y in drawn["Kim Verhoef"] + drawn["Rob Claassen"]}
    assert TOP <= heights[8] < heights[7] < heights[6] < heights[5] < heights[4] <= HEIGHT - BOTTOM
    titles = [m.findtext(f"{SVG}title") for m in markers(svg)]
    assert "Kim Verhoef, 01-12-2026: 4" in titles
    assert ' style="' not in page.text and "<script>" not in page.text


def test_the_table_beside_the_chart_holds_the_same_scores(client):
    page = client.get("/voortgang/2026-101?op=2026-12-02").text
    table = page.split("<caption>Cijfers per overleg</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table)
    assert [re.findall(r"<td>(.*?)</td>", cells) for _, cells in rows] == [["5", "6"], ["7", "6"], ["4", "8"]]
    assert '<th scope="col">Kim Verhoef</th><th scope="col">Rob Claassen</th>' in table


def test_a_signal_shows_with_the_rule_it_comes_from(client):
    page = client.get("/voortgang/2026-101?op=2026-12-02").text
    assert "Het cijfer van Kim Verhoef daalde van 7 naar 4 (overleg van 1 december 2026)." in page
    assert f"Regel van de methode: {FELL_RULE}" in page
    assert '<span class="niveau niveau-oranje">oranje</span>' in page


def test_the_date_asked_about_limits_the_history_as_formkit_status_does(client):
    page = client.get("/voortgang/2026-101?op=2026-10-01").text
    assert [score for _, score, _ in points(chart(page))["Kim Verhoef"]] == [5, 7]
    assert "daalde" not in page


def test_another_households_scores_never_show_on_this_page(client):
    mine = client.get("/voortgang/2026-101?op=2026-12-02").text
    theirs = client.get("/voortgang/2026-102?op=2026-12-02").text
    assert "Iris Lammers" not in mine and "Gezin Öztürk" not in mine
    assert "Iris Lammers" in theirs and "Kim Verhoef" not in theirs
    assert [score for _, score, _ in points(chart(theirs))["Iris Lammers"]] == [2]


def test_wrong_addresses_and_dates_get_a_dutch_page(client, tmp_path):
    assert client.get("/voortgang/2026-103").status_code == 404
    assert client.get("/voortgang/..%2F2026-101").status_code == 404
    wrong = client.get("/voortgang?op=gisteren")
    assert wrong.status_code == 400 and "is geen datum" in wrong.text
    assert signed_in(config_for(tmp_path / "leeg")).get("/voortgang").status_code == 409


def test_a_household_without_plans_says_so_without_a_chart(tmp_path, register_path):
    client = signed_in(config_for(tmp_path, register_path))
    page = client.get("/voortgang/2026-101").text
    assert "Nog geen plannen met cijfers in de historie" in page
    assert "<svg" not in page


def test_the_chart_escapes_names_and_draws_one_point_in_the_middle():
    svg = score_chart([Series('<b>"Kim"</b> & co', [(dt.date(2026, 12, 1), 6)])], "Titel <x>", 0, 10)
    parsed = ET.fromstring(svg)
    (point,) = markers(parsed)
    assert point.findtext(f"{SVG}title", "").startswith('<b>"Kim"</b> & co')
    assert place(point)[0] > 100
    assert score_chart([], "leeg", 0, 10) == ""


def test_two_people_with_the_same_score_are_two_points_side_by_side_each_with_its_own_shape():
    day = dt.date(2026, 12, 1)
    svg = ET.fromstring(score_chart([Series("Kim Verhoef", [(day, 4)]), Series("Rob Claassen", [(day, 4)]),
                                     Series("Iris Lammers", [(day, 4)])], "Titel", 0, 10))
    drawn = {m.findtext(f"{SVG}title"): (place(m), m.find(f"{SVG}path")) for m in markers(svg)}
    assert set(drawn) == {"Kim Verhoef, 01-12-2026: 4", "Rob Claassen, 01-12-2026: 4", "Iris Lammers, 01-12-2026: 4"}
    where = [xy for xy, _ in drawn.values()]
    assert len({y for _, y in where}) == 1  # the same score, the same height
    xs = sorted(x for x, _ in where)
    assert xs[1] - xs[0] >= 11 and xs[2] - xs[1] >= 11  # never on top of each other: a marker is ~11 wide
    assert len({path.get("d") for _, path in drawn.values() if path is not None}) == 3


def test_the_legend_shows_each_persons_marker_shape_as_the_chart_does(client):
    page = client.get("/voortgang/2026-101?op=2026-12-02").text
    svg = chart(page)
    shapes = {g.get("data-wie"): {p.get("d") for p in g.iter(f"{SVG}path")} for g in svg.iter(f"{SVG}g")
              if "reeks" in (g.get("class") or "").split()}
    legend = page.split('<ul class="legenda" aria-label="Legenda van de grafiek">', 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(<svg .*?</svg>)(.*?)</li>", legend, re.DOTALL)
    assert [who for _, who in items] == ["Kim Verhoef", "Rob Claassen"]
    for key, who in items:
        assert {p.get("d") for p in ET.fromstring(key).iter(f"{SVG}path")} == shapes[who]
        assert 'aria-hidden="true"' in key
    assert shapes["Kim Verhoef"] != shapes["Rob Claassen"]


def test_the_household_page_names_the_regisseur_with_the_organisation(client):
    page = client.get("/voortgang/2026-101?op=2026-12-02").text
    assert "<dt>Regisseur</dt><dd>Kim Verhoef (Wijkteam West)</dd>" in page
