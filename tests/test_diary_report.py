"""The provider report: its numbers match the rows, the chart is embedded, and it is one self-contained file."""

from __future__ import annotations

import json
import re
import statistics
import sys
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from voice_guide.diary import Diary, Episode, FrequentRule
from voice_guide.diary.report import build_report, summarize
from voice_guide.errors import UserError

pytest.importorskip("matplotlib")

TZ = timezone(timedelta(hours=-5))
NOW = datetime(2024, 3, 29, 8, 0, tzinfo=TZ)  # current night: the 28th

class Page(HTMLParser):
    """Collects every data-key value, element ids, and the chart figure's contents."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.attrs_of: dict[str, dict[str, str | None]] = {}
        self.in_chart = 0
        self.chart_tags: list[str] = []
        self._key: str | None = None
        self.escalation_rows = 0
        self.recent_rows = 0
        self._table: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.add(str(a["id"]))
            self.attrs_of[str(a["id"])] = a
            if tag == "table":
                self._table = a["id"]
        if a.get("data-key"):
            self._key = str(a["data-key"])
            self.values[self._key] = ""
        if a.get("id") == "chart":
            self.in_chart = 1
        elif self.in_chart and tag == "figure":
            self.in_chart += 1
        if self.in_chart:
            self.chart_tags.append(tag)
        if tag == "tr" and self._table == "escalations" and a.get("class") == "esc":
            self.escalation_rows += 1
        if tag == "tr" and self._table == "recent" and a.get("data-episode"):
            self.recent_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if self.in_chart and tag == "figure":
            self.in_chart -= 1
        if tag == "table":
            self._table = None
        self._key = None

    def handle_data(self, data: str) -> None:
        if self._key:
            self.values[self._key] += data.strip()

def night(day: int, hour: int = 2) -> datetime:
    """An episode time on the night of ``day`` (02:00 the next morning by default)."""
    base = datetime(2024, 3, day, 0, 0, tzinfo=TZ)
    return base + timedelta(days=1 if hour < 12 else 0, hours=hour)

def fill(path: Path) -> list[Episode]:
    with Diary.open(path) as d:
        rows = [  # (night, kind, leg, pain, minutes, outcome, level)
            (1, "cramp", "left", 3, 4, "better", None),  # the first night of the 4-week period (1st..28th)
            (2, "cramp", "left", None, 2, "stopped", None),
            (10, "cramp", "right", 6, 5, "better", None),
            (10, "cramp", "right", 8, 9, "better", None),  # two on one night
            (20, "stretch", None, None, 3, "done", None),
            (22, "cramp", "both", 9, 7, "escalated", "provider"),
            (24, "cramp", None, 5, 3, "better", None),
            (25, "cramp", "left", 7, 6, "escalated", "emergency"),
            (26, "check", None, None, 1, "all_clear", None),
            (27, "cramp", "left", 4, 1, "better", None),
        ]
        for i, (n, kind, leg, pain, minutes, outcome, level) in enumerate(rows):
            start = night(n, 2 if i % 2 else 23)
            e = d.start_episode(kind, start)
            d.add_step(e, "relief.straighten", start)
            if leg:
                d.set_leg(e, leg)
            if pain is not None:
                d.set_pain(e, pain)
            if kind == "check" or level:
                d.record_answer(e, "question.emergency", level == "emergency", start + timedelta(seconds=20))
                if level != "emergency":
                    d.record_answer(e, "question.frequent_severe", level == "provider", start + timedelta(seconds=30))
            if level:
                d.record_escalation(e, level, start + timedelta(seconds=31))
            d.end_episode(e, outcome, level, at=start + timedelta(minutes=minutes))
        old = d.start_episode("cramp", datetime(2024, 2, 1, 2, 0, tzinfo=TZ))  # long before the period
        d.set_pain(old, 10)
        d.start_episode("cramp", night(28))  # tonight, still open
        return d.list()

@pytest.fixture
def episodes(tmp_path: Path) -> list[Episode]:
    return fill(tmp_path / "diary.sqlite3")

def test_report_numbers_match_the_rows(episodes: list[Episode]) -> None:
    text = build_report(episodes, NOW, weeks=4)
    page = Page(text)
    first, last = date(2024, 3, 1), date(2024, 3, 28)
    period = [e for e in episodes if first <= e.night() <= last]
    cramps = [e for e in period if e.kind == "cramp"]
    pains = [e.pain for e in cramps if e.pain is not None]
    v = page.values
    assert int(v["cramp_episodes"]) == len(cramps) == 9
    assert int(v["nights_with_cramps"]) == len({e.night() for e in cramps}) == 8
    # Last 7 nights: 22nd..28th -> cramps on 22, 24, 25, 27, 28.
    assert int(v["frequent_nights"]) == 5
    assert "frequent: YES (rule 4 of 7)" in text
    assert float(v["pain_median"]) == statistics.median(pains) and 10 not in pains  # February's 10 is not in
    assert float(v["median_minutes"]) == statistics.median(
        [e.duration_seconds / 60 for e in cramps if e.duration_seconds is not None])
    assert int(v["escalations"]) == 2
    assert int(v["warning_yes"]) == 2
    for leg in ("left", "right", "both"):
        assert int(v[f"leg_{leg}"]) == sum(1 for e in cramps if e.leg == leg)
    assert int(v["leg_not_given"]) == sum(1 for e in cramps if e.leg is None) == 2
    for rating in range(11):
        assert int(v[f"pain_{rating}"] or 0) == pains.count(rating)
    assert int(v["asked_question.emergency"]) == 3 and int(v["yes_question.emergency"]) == 1
    assert int(v["asked_question.frequent_severe"]) == 2 and int(v["yes_question.frequent_severe"]) == 1
    assert int(v["asked_question.redness"]) == 0
    assert page.escalation_rows == 2
    assert page.recent_rows == 7  # capped to fit one page; the totals above count them all

def test_chart_is_embedded_and_matches_the_nights(episodes: list[Episode]) -> None:
    text = build_report(episodes, NOW, weeks=4)
    page = Page(text)
    assert "chart" in page.ids and "svg" in page.chart_tags
    assert page.chart_tags.count("path") > 28  # bars, axes, ticks: a real drawing
    nights = json.loads(str(page.attrs_of["chart"]["data-nights"]))
    assert len(nights) == 28 and nights[0][0] == "2024-03-01" and nights[-1][0] == "2024-03-28"
    per_night = dict(nights)
    assert per_night["2024-03-10"] == 2 and per_night["2024-03-20"] == 0 and sum(per_night.values()) == 9
    # One self-contained file: nothing fetched from anywhere.
    assert "<script" not in text and "<link" not in text and "src=" not in text
    assert re.search(r"url\((?!#)|href=\"(?!#)", text) is None  # only in-page references (the chart's clip paths)
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text

def test_frequent_flag_follows_the_rule(episodes: list[Episode]) -> None:
    assert summarize(episodes, NOW).frequent is True
    assert summarize(episodes, NOW, rule=FrequentRule(6, 7)).frequent is False
    text = build_report(episodes, NOW, rule=FrequentRule(6, 7))
    assert "frequent: no (rule 6 of 7)" in text and "cramps on at least 6 of the last 7 nights" in text
    assert 'class="fig alert"><span class="num" data-key="frequent_nights"' not in text
    assert 'class="fig alert"><span class="num" data-key="frequent_nights"' in build_report(episodes, NOW)

def test_weeks_limit_the_period(episodes: list[Episode]) -> None:
    s = summarize(episodes, NOW, weeks=1)
    assert (s.first_night, s.last_night) == (date(2024, 3, 22), date(2024, 3, 28))
    assert s.cramp_episodes == 5 and len(s.per_night) == 7
    with pytest.raises(UserError):
        summarize(episodes, NOW, weeks=0)

def test_an_empty_diary_still_reports() -> None:
    page = Page(build_report([], NOW))
    assert page.values["cramp_episodes"] == "0" and page.values["pain_median"] == "–"
    assert "svg" in page.chart_tags

def test_text_is_escaped(tmp_path: Path) -> None:
    with Diary.open(tmp_path / "d.sqlite3") as d:
        e = d.start_episode("check", night(27))
        d.record_answer(e, "question.<script>alert(1)</script>", True, night(27))
        episodes = d.list()
    text = build_report(episodes, NOW)
    assert "<script>" not in text and "&lt;script&gt;" in text

def test_missing_matplotlib_says_how_to_install(episodes: list[Episode], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(UserError, match=r"pip install 'voice-guide\[report\]'"):
        build_report(episodes, NOW)
