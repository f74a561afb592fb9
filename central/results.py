"""Poll and survey results for the staff admin's results page and its CSV: vote counts per
option and answer counts per survey choice, for a period (days in Asia/Muscat, as staff at the
ministry count them) and a kiosk location.

Counted as in the public poll results (Central.poll_results): technicians' test submissions
and items hidden by moderation are left out. A submission counts in the period it was received
by central (a kiosk's clock can be wrong; central's is the one the ministry trusts), and at the
location its kiosk has now (central keeps no history of where a kiosk stood)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from central.orm import Device, Submission

if TYPE_CHECKING:
    from central.service import Central

MUSCAT = ZoneInfo("Asia/Muscat")
MAX_DAYS = 3660  # a period of at most about ten years: enough, and bounded
NO_LOCATION = "-"  # the location filter's value for kiosks that have none


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None  # inclusive

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        lo = datetime.combine(self.start, time(), MUSCAT) if self.start else None
        hi = (datetime.combine(self.end + timedelta(days=1), time(), MUSCAT)
              if self.end else None)
        return lo, hi


class ResultsError(ValueError):
    """A period that can not be read; the text says what to change (in English: the page
    shows it through gettext)."""


def parse_period(start: str | None, end: str | None, month: str | None = None) -> Period:
    """From the form: from/to as YYYY-MM-DD, or a month as YYYY-MM (which wins)."""
    if month:
        try:
            first = datetime.strptime(month[:7], "%Y-%m").date()
        except ValueError:
            raise ResultsError("Give the month as year and month, like 2026-11.") from None
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Period(first, nxt - timedelta(days=1))

    def one(text: str | None) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise ResultsError("Give dates as year, month and day, like 2026-11-30.") from None

    p = Period(one(start), one(end))
    if p.start and p.end:
        if p.end < p.start:
            raise ResultsError("The period ends before it starts: swap the two dates.")
        if (p.end - p.start).days > MAX_DAYS:
            raise ResultsError("The period is too long: at most ten years.")
    return p


@dataclass
class Bar:
    id: str
    label: dict
    count: int
    percent: int = 0


@dataclass
class Chart:
    kind: str  # "poll" or "survey"
    id: str  # the poll's id, or "<survey id>/<question id>"
    title: dict
    heading: dict  # the poll's question, or the survey question's text
    bars: list[Bar]
    other: int = 0  # votes or answers for options the record no longer has
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = sum(b.count for b in self.bars) + self.other
        for b in self.bars:
            b.percent = round(100 * b.count / self.total) if self.total else 0


def locations(central: Central) -> list[str]:
    names = {loc for loc in central.q(Device).values_list("location", flat=True)}
    out = sorted(n for n in names if n)
    return out + ([NO_LOCATION] if None in names or "" in names else [])


def _submissions(central: Central, kind: str, period: Period, location: str | None) -> Any:
    q = central.q(Submission).filter(type=kind, test=False, hidden=False, held=False)
    lo, hi = period.bounds()
    if lo is not None:
        q = q.filter(received_at__gte=lo)
    if hi is not None:
        q = q.filter(received_at__lt=hi)
    if location:
        devices = central.q(Device)
        devices = (devices.filter(location__isnull=True) | devices.filter(location="")
                   if location == NO_LOCATION else devices.filter(location=location))
        q = q.filter(device_id__in=list(devices.values_list("id", flat=True)))
    return q


def charts(central: Central, period: Period, location: str | None = None) -> list[Chart]:
    """One chart per published poll, then one per question of each published survey."""
    from django.db.models import Count

    pub = central.published_catalogue()
    records = pub.records if pub is not None else {}
    out: list[Chart] = []
    polls = records.get("poll", {})
    if polls:
        counts: dict[tuple[str, str], int] = {
            (r["poll_id"], r["option_id"]): r["n"]
            for r in _submissions(central, "poll_vote", period, location)
            .filter(poll_id__in=list(polls)).values("poll_id", "option_id")
            .annotate(n=Count("id")).order_by()}
        for pid in sorted(polls):
            poll = polls[pid]
            known = {o["id"] for o in poll["options"]}
            bars = [Bar(o["id"], dict(o["label"]), int(counts.get((pid, o["id"]), 0)))
                    for o in poll["options"]]
            other = sum(n for (p, o), n in counts.items() if p == pid and o not in known)
            out.append(Chart("poll", pid, dict(poll["question"]), dict(poll["question"]),
                             bars, other))
    surveys = records.get("survey", {})
    if surveys:
        tally: dict[tuple[str, str, str], int] = {}
        rows = _submissions(central, "survey", period, location).values_list("payload",
                                                                              flat=True)
        for payload in rows.iterator(chunk_size=2000):
            sid = payload.get("survey_id") if isinstance(payload, dict) else None
            answers = payload.get("answers") if sid in surveys else None
            if not isinstance(answers, dict):
                continue
            for qid, choice in answers.items():
                key = (sid, str(qid), str(choice))
                tally[key] = tally.get(key, 0) + 1
        for sid in sorted(surveys):
            survey = surveys[sid]
            for question in survey["questions"]:
                known = {c["id"] for c in question["choices"]}
                bars = [Bar(c["id"], dict(c["label"]),
                            tally.get((sid, question["id"], c["id"]), 0))
                        for c in question["choices"]]
                other = sum(n for (s, q, c), n in tally.items()
                            if s == sid and q == question["id"] and c not in known)
                out.append(Chart("survey", f"{sid}/{question['id']}", dict(survey["title"]),
                                 dict(question["text"]), bars, other))
    return out


CSV_FIELDS = ("kind", "id", "title_en", "title_ar", "question_en", "question_ar", "option",
              "label_en", "label_ar", "count", "percent", "total", "from", "to", "location")


def to_csv(found: list[Chart], period: Period, location: str | None) -> str:
    """The charts as CSV, one row per bar (and one per "other" count), every text cell
    neutralised as in the open-data export (central.csvsafe.csv_cell)."""
    from central.csvsafe import csv_cell

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    w.writeheader()
    common = {"from": period.start.isoformat() if period.start else "",
              "to": period.end.isoformat() if period.end else "", "location": location or ""}
    for c in found:
        base = {"kind": c.kind, "id": c.id, "title_en": c.title.get("en", ""),
                "title_ar": c.title.get("ar", ""), "question_en": c.heading.get("en", ""),
                "question_ar": c.heading.get("ar", ""), "total": c.total, **common}
        rows = [{**base, "option": b.id, "label_en": b.label.get("en", ""),
                 "label_ar": b.label.get("ar", ""), "count": b.count, "percent": b.percent}
                for b in c.bars]
        if c.other:
            rows.append({**base, "option": "(other)", "label_en": "other answers",
                         "label_ar": "إجابات أخرى", "count": c.other,
                         "percent": round(100 * c.other / c.total) if c.total else 0})
        for row in rows:
            w.writerow({k: csv_cell(v) for k, v in row.items()})
    return buf.getvalue()
