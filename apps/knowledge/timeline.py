"""Geometry of the tenure timeline drawn on an entity's page (server-side SVG: the CSP allows no
inline styles, so the template only writes SVG attributes — x, y, width — and CSS classes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WIDTH = 1000  # SVG user units; the SVG scales to the page width
GUTTER = 230  # room for the row labels on the left
RIGHT = 20
ROW = 30
BAR = 18
TOP = 28  # room for the year axis


@dataclass
class Bar:
    label: str
    href: str
    x: float
    y: float
    width: float
    classes: str
    title: str
    text_y: float


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    height: int = 0
    today_x: float | None = None
    axis_y: int = TOP
    width: int = WIDTH
    gutter: int = GUTTER
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class Span:
    """One tenure as the timeline needs it."""

    label: str
    href: str
    start: dt.date | None
    end: dt.date | None
    end_unknown: bool
    start_precision: str = "day"
    end_precision: str = "day"


def _fmt(value: dt.date | None, precision: str) -> str:
    if value is None:
        return "?"
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%Y-%m")
    return value.isoformat()


def _ordinal(value: dt.date) -> int:
    return value.toordinal()


def build(spans: list[Span], *, today: dt.date) -> Timeline | None:
    """Rows in the order given; None when no tenure has a single known date to place it."""
    dated = [s for s in spans if s.start or s.end]
    if not dated:
        return None
    firsts = [s.start or s.end for s in dated]
    lasts = [s.end or (today if not s.end_unknown else (s.start or today)) for s in dated]
    lo_year = min(d.year for d in firsts if d)
    hi_year = max(
        max(d.year for d in lasts if d),
        today.year if any(s.end is None and not s.end_unknown for s in dated) else 0,
    )
    lo = dt.date(lo_year, 1, 1)
    hi = dt.date(hi_year + 1, 1, 1)
    span_days = max(1, _ordinal(hi) - _ordinal(lo))
    plot = WIDTH - GUTTER - RIGHT

    def x_of(value: dt.date) -> float:
        return round(GUTTER + (_ordinal(value) - _ordinal(lo)) / span_days * plot, 1)

    timeline = Timeline(start=lo, end=hi)
    years = hi_year + 1 - lo_year
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500) if years / s <= 12)
    first_tick = lo_year + (-lo_year) % step
    for year in range(first_tick, hi_year + 2, step):
        timeline.ticks.append(Tick(x=x_of(dt.date(year, 1, 1)), label=str(year)))
    if lo <= today <= hi:
        timeline.today_x = x_of(today)

    for index, s in enumerate(dated):
        classes = ["tl-bar"]
        if s.start:
            begin = s.start
        else:
            begin = lo
            classes.append("tl-open-start")
        if s.end:
            finish = s.end
        elif s.end_unknown:
            # Ended on a date the KB does not know: a short, dashed bar after the start.
            finish = min(hi, begin + dt.timedelta(days=365))
            classes.append("tl-open-end")
        else:
            finish = today
            classes.append("tl-current")
        if s.start_precision != "day" or s.end_precision != "day":
            classes.append("tl-imprecise")
        x0, x1 = x_of(begin), x_of(max(finish, begin))
        y = TOP + 8 + index * ROW
        end_text = (
            _fmt(s.end, s.end_precision)
            if s.end
            else ("ended, date unknown" if s.end_unknown else "in office")
        )
        timeline.bars.append(
            Bar(
                label=s.label,
                href=s.href,
                x=x0,
                y=y,
                width=max(3.0, round(x1 - x0, 1)),
                classes=" ".join(classes),
                title=f"{s.label}: {_fmt(s.start, s.start_precision)} – {end_text}",
                text_y=y + BAR - 5,
            )
        )
    timeline.height = TOP + 8 + len(dated) * ROW + 6
    return timeline
