"""A household's safety scores over meetings as an inline SVG line chart, made on the server.

No script and no style attribute (the Content-Security-Policy forbids both): the lines take
their colour and dash pattern from CSS classes (``reeks-0`` ... ``reeks-7`` in app.css), the
rest from presentation attributes. Each person's points have their own marker shape as well
as colour (for readers who cannot tell the colours apart), and people with the same score at
a meeting stand side by side within the meeting's slot, never on top of each other. The chart
carries a ``<title>`` and ``<desc>`` and each point its own ``<title>``; the page puts a table with the same numbers beside it for screen
readers, so the picture is never the only place a score is shown. Every text passes
:func:`formkit.core.text.visible` and is escaped for XML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..core import dutch
from ..core.text import visible

#: The chart's size in SVG units (it scales with the page through its viewBox).
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40
#: Room between the plot's edges and the first and last meeting, so their dates are never cut off.
INSET = 36
#: How many colour and dash patterns the stylesheet has; further series repeat them.
PATTERNS = 8
#: Horizontal distance between the points of two people at one meeting, and the widest spread of them all.
DODGE, SPREAD = 12.0, 2 * INSET - 8
#: One marker shape per pattern, drawn around (0, 0): circle, square, triangle, diamond,
#: triangle down, plus, star, cross; the legend shows the same shape.
MARKERS = (
    "M-5.5,0a5.5,5.5 0 1,0 11,0a5.5,5.5 0 1,0 -11,0Z",
    "M-4.8,-4.8H4.8V4.8H-4.8Z",
    "M0,-6.2L5.6,4.6H-5.6Z",
    "M0,-6.6L6.2,0L0,6.6L-6.2,0Z",
    "M0,6.2L5.6,-4.6H-5.6Z",
    "M-2,-6H2V-2H6V2H2V6H-2V2H-6V-2H-2Z",
    "M0,-6.8L1.9,-2.4L6.6,-2.1L3,1L4.1,5.6L0,3.1L-4.1,5.6L-3,1L-6.6,-2.1L-1.9,-2.4Z",
    "M-5.2,-3.4L-3.4,-5.2L0,-1.8L3.4,-5.2L5.2,-3.4L1.8,0L5.2,3.4L3.4,5.2L0,1.8L-3.4,5.2L-5.2,3.4L-1.8,0Z",
)


@dataclass(frozen=True)
class Series:
    """One person's scores: who, and (meeting, score) oldest first."""

    who: str
    points: list[tuple[dt.date, int]]


@dataclass(frozen=True)
class Line:
    """A horizontal reference line of the method: its score and its Dutch label ("directe veiligheid")."""

    score: int
    label: str


def series_of(history: list[tuple[dt.date, dict[str, int]]]) -> list[Series]:
    """Return one series per person from a status's history (meeting, {who: score}), in order of first score."""
    found: dict[str, list[tuple[dt.date, int]]] = {}
    for day, scores in history:
        for who, score in scores.items():
            found.setdefault(who, []).append((day, score))
    return [Series(who, points) for who, points in found.items()]


def _text(value: str) -> str:
    return escape(visible(value), quote=True)


class _Scale:
    """Where a meeting and a score go on the chart."""

    def __init__(self, days: list[dt.date], low: int, high: int, people: int = 1):
        self.days, self.low, self.high = days, low, high
        self.plot_w, self.plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.step = min(DODGE, SPREAD / (people - 1)) if people > 1 else 0.0
        self.people = people

    def dodge(self, index: int) -> float:
        """Return how far the points of the `index`-th person stand beside the meeting's middle."""
        return (index - (self.people - 1) / 2) * self.step

    def x(self, day: dt.date) -> float:
        first, last = self.days[0], self.days[-1]
        if first == last:
            return LEFT + self.plot_w / 2
        return LEFT + INSET + (self.plot_w - 2 * INSET) * (day - first).days / (last - first).days

    def y(self, score: int) -> float:
        score = min(max(score, self.low), self.high)
        return TOP + self.plot_h * (self.high - score) / (self.high - self.low)


def score_chart(series: list[Series], title: str, low: int, high: int, lines: Sequence[Line] = ()) -> str:
    """Return an inline <svg> line chart of the scores (`low`..`high` upwards, meetings along), with title and desc."""
    days = sorted({day for s in series for day, _ in s.points})
    if not days:
        return ""
    scale = _Scale(days, low, high, len(series))
    desc = (f"Veiligheidscijfers van {len(series)} {'persoon' if len(series) == 1 else 'personen'} over "
            f"{len(days)} {'overleg' if len(days) == 1 else 'overleggen'}, van {dutch.short_date(days[0])} "
            f"tot en met {dutch.short_date(days[-1])}, op een schaal van {low} tot {high}. "
            "De tabel naast de grafiek geeft dezelfde cijfers.")
    parts = [f'<svg class="grafiek" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="grafiek-titel grafiek-uitleg" focusable="false">',
             f'<title id="grafiek-titel">{_text(title)}</title>', f'<desc id="grafiek-uitleg">{_text(desc)}</desc>']
    parts += _axes(scale)
    parts += [_reference(scale, line) for line in lines if low <= line.score <= high]
    for index, s in enumerate(series):
        parts += _series(scale, s, index)
    parts.append("</svg>")
    return "\n".join(parts)


def _axes(scale: _Scale) -> list[str]:
    """Return the grid: a line and number per score, a date under each meeting."""
    found = ['<g class="as">']
    for score in range(scale.low, scale.high + 1):
        y = scale.y(score)
        found.append(f'<line class="raster" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        found.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{score}</text>')
    for day in scale.days:
        found.append(f'<text x="{scale.x(day):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">'
                     f'{_text(dutch.short_date(day))}</text>')
    found.append("</g>")
    return found


def _reference(scale: _Scale, line: Line) -> str:
    """Return a dashed horizontal line at a score of the method, labelled."""
    y = scale.y(line.score)
    return (f'<g class="referentie"><line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
            f'<text x="{WIDTH - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end">{_text(line.label)} ({line.score})</text></g>')


def _series(scale: _Scale, series: Series, index: int) -> list[str]:
    """Return one person's line and points; each point names who, when and the score in its <title>."""
    pattern = f"reeks-{index % PATTERNS}"
    shift = scale.dodge(index)
    at = [(day, score, scale.x(day) + shift, scale.y(score)) for day, score in series.points]
    found = [f'<g class="reeks {pattern}" data-wie="{_text(series.who)}">']
    if len(at) > 1:
        found.append(f'<polyline fill="none" points="{" ".join(f"{x:.1f},{y:.1f}" for _, _, x, y in at)}"/>')
    for day, score, x, y in at:
        found.append(f'<g class="punt" transform="translate({x:.1f},{y:.1f})" data-overleg="{day.isoformat()}" '
                     f'data-cijfer="{score}"><title>{_text(series.who)}, {_text(dutch.short_date(day))}: {score}</title>'
                     f'<path d="{MARKERS[index % PATTERNS]}"/></g>')
    found.append("</g>")
    return found


def legend_key(index: int) -> str:
    """Return the small SVG that stands for the `index`-th person in the legend: their line and marker shape."""
    return (f'<svg class="staal reeks-{index % PATTERNS}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 14" '
            f'aria-hidden="true" focusable="false"><polyline fill="none" points="2,7 34,7"/>'
            f'<g class="punt" transform="translate(18,7)"><path d="{MARKERS[index % PATTERNS]}"/></g></svg>')
