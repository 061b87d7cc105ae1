"""A printable one-page HTML report of the cramp diary for the healthcare provider (chart via matplotlib)."""

from __future__ import annotations

import html
import io
import json
import os
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import UserError
from .frequency import FrequentRule, night_of, nights_in_window
from .store import LEGS, Episode

MAX_WEEKS = 26
RECENT_ROWS = 7
ESCALATION_ROWS = 4
"""Rows listed one by one; more would push the report past one page (the totals still count them all)."""

# Provider-facing wording of the warning-sign questions (guidance.yaml keys), in the order they are asked.
QUESTION_LABELS = {
    "question.emergency": "Chest pain, trouble breathing, coughing up blood or fainting",
    "question.frequent_severe": "Pain frequent and severe",
    "question.redness": "Redness on the legs",
    "question.warmth": "Part of a leg warm to the touch",
    "question.swelling": "Swelling in the legs",
    "question.tenderness": "Part of a leg tender to touch",
}
OUTCOME_LABELS = {
    "better": "eased", "stopped": "stopped by user", "done": "all steps done", "all_clear": "no warning signs",
    "no_answer": "questions unanswered", "escalated": "told to get help", "interrupted": "interrupted",
    "unfinished": "unfinished",
}
LEVEL_LABELS = {"provider": "call provider", "emergency": "emergency services"}


@dataclass(frozen=True)
class QuestionRow:
    """How one warning-sign question was answered over the period."""

    key: str
    label: str
    asked: int
    yes: int
    last_yes: datetime | None


@dataclass(frozen=True)
class Summary:
    """Every number the report shows, computed from the episodes alone (tested against the rows)."""

    first_night: date
    last_night: date
    episodes: tuple[Episode, ...]
    """All episodes (any kind) of the period, oldest first."""
    cramp_episodes: int
    nights_with_cramps: int
    nights_in_period: int
    per_night: tuple[tuple[date, int], ...]
    """Cramp episodes for every night of the period, zeros included."""
    frequent: bool
    frequent_nights: int
    """Nights with cramps inside the rule's window ending now."""
    rule: FrequentRule
    pain_rated: int
    pain_median: float | None
    pain_max: int | None
    pain_counts: dict[int, int]
    legs: dict[str, int]
    """left / right / both / not given -> episodes (cramps)."""
    median_minutes: float | None
    escalated_provider: int
    escalated_emergency: int
    escalations: tuple[tuple[Episode, str, bool, datetime], ...]
    """(episode, level, conditional, at) for every escalation said, oldest first."""
    escalation_nights: frozenset[date]
    warning_yes: int
    questions: tuple[QuestionRow, ...]
    unfinished: int


def summarize(episodes: Sequence[Episode], now: datetime, *, weeks: int = 4,
              rule: FrequentRule | None = None) -> Summary:
    """The report's figures for the ``weeks`` weeks of nights ending with ``now``'s night."""
    rule = rule or FrequentRule()
    if not 1 <= weeks <= MAX_WEEKS:
        raise UserError(f"--weeks must be 1 to {MAX_WEEKS}, not {weeks}")
    cut = rule.cutoff_hour
    last = night_of(now, cut)
    first = last - timedelta(days=7 * weeks - 1)
    period = tuple(sorted((e for e in episodes if first <= e.night(cut) <= last and e.started_at <= now),
                          key=lambda e: (e.started_at, e.id)))
    cramps = [e for e in period if e.kind == "cramp"]
    per_night_count = Counter(e.night(cut) for e in cramps)
    per_night = tuple((first + timedelta(days=i), per_night_count.get(first + timedelta(days=i), 0))
                      for i in range(7 * weeks))
    # The frequent rule looks at its own window, which may reach back before a short report period.
    window_nights = nights_in_window((e.started_at for e in episodes if e.kind == "cramp"), now, rule)
    pains = [e.pain for e in cramps if e.pain is not None]
    durations = [e.duration_seconds / 60 for e in cramps if e.duration_seconds is not None]
    legs = {leg: sum(1 for e in cramps if e.leg == leg) for leg in LEGS}
    legs["not given"] = sum(1 for e in cramps if e.leg is None)
    escalations = tuple((e, x.level, x.conditional, x.at) for e in period for x in e.escalations)
    asked: Counter[str] = Counter()
    yes: Counter[str] = Counter()
    last_yes: dict[str, datetime] = {}
    for e in period:
        for a in e.answers:
            asked[a.question_key] += 1
            if a.yes:
                yes[a.question_key] += 1
                last_yes[a.question_key] = max(a.at, last_yes.get(a.question_key, a.at))
    keys = [k for k in QUESTION_LABELS] + sorted(k for k in asked if k not in QUESTION_LABELS)
    questions = tuple(QuestionRow(k, QUESTION_LABELS.get(k, k), asked[k], yes[k], last_yes.get(k)) for k in keys)
    return Summary(
        first_night=first, last_night=last, episodes=period,
        cramp_episodes=len(cramps), nights_with_cramps=len(per_night_count), nights_in_period=7 * weeks,
        per_night=per_night, frequent=len(window_nights) >= rule.nights, frequent_nights=len(window_nights),
        rule=rule, pain_rated=len(pains), pain_median=statistics.median(pains) if pains else None,
        pain_max=max(pains) if pains else None, pain_counts=dict(sorted(Counter(pains).items())), legs=legs,
        median_minutes=statistics.median(durations) if durations else None,
        escalated_provider=sum(1 for e in period if e.outcome == "escalated" and e.level == "provider"),
        escalated_emergency=sum(1 for e in period if e.outcome == "escalated" and e.level == "emergency"),
        escalations=escalations,
        escalation_nights=frozenset(e.night(cut) for e, _, conditional, _ in escalations if not conditional),
        warning_yes=sum(yes.values()), questions=questions,
        unfinished=sum(1 for e in period if e.ended_at is None or e.outcome == "unfinished"),
    )


# ----- the chart -----
def chart_svg(s: Summary) -> str:
    """Cramp episodes per night as an inline SVG, drawn with matplotlib (imported only here)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display at night on a headless device; never pick an interactive backend
        from matplotlib.dates import DateFormatter, DayLocator, date2num
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as exc:
        raise UserError("the report's chart needs matplotlib: pip install 'voice-guide[report]'") from exc

    nights = [d for d, _ in s.per_night]
    counts = [n for _, n in s.per_night]
    style: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "voice-guide", "font.family": "sans-serif",
             "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(style):
        # Figure, not pyplot: no global figure registry, so this is safe inside a long-running process.
        fig = Figure(figsize=(7.2, 1.9))
        ax = fig.add_subplot()
        x = date2num(nights)
        win_last = s.last_night  # the rule's window ends with the report's last night (both are now's night)
        win_first = win_last - timedelta(days=s.rule.window - 1)
        ax.axvspan(date2num(win_first) - 0.5, date2num(win_last) + 0.5, color="#eef3fa", zorder=0,
                   label=f"last {s.rule.window} nights")
        ax.bar(x, counts, width=0.8, color="#3a6ea5", zorder=2, label="cramp episodes")
        marks = [date2num(d) for d in sorted(s.escalation_nights)]
        if marks:
            top = [counts[nights.index(d)] + 0.25 for d in sorted(s.escalation_nights)]
            ax.scatter(marks, top, marker="v", color="#c0392b", s=28, zorder=3, label="told to get help")
        ax.set_xlim(x[0] - 0.7, x[-1] + 0.7)
        ax.set_ylim(0, max([*counts, 1]) + 0.8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_locator(DayLocator(interval=7 if len(nights) > 14 else 2))
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
        ax.set_ylabel("episodes")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6, zorder=1)
        ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=3)
        fig.tight_layout(pad=0.4)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML declaration and DOCTYPE: invalid inside HTML


# ----- the page -----
def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fig(key: str, value: object, label: str, note: str = "", alert: bool = False) -> str:
    shown = "–" if value is None else value
    raw = "" if value is None else value
    note_html = f'<span class="note">{_e(note)}</span>' if note else ""
    cls = "fig alert" if alert else "fig"
    return (f'<div class="{cls}"><span class="num" data-key="{_e(key)}" data-value="{_e(raw)}">{_e(shown)}</span>'
            f'<span class="label">{_e(label)}</span>{note_html}</div>')


def _num(x: float | None) -> str | None:
    if x is None:
        return None
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _when(at: datetime) -> str:
    return at.strftime("%a %d %b %H:%M")


def render_html(s: Summary, now: datetime, chart: str) -> str:
    """The report page: one self-contained HTML file (the chart is inline SVG), laid out for one A4 page."""
    period = f"{s.first_night:%d %b %Y} – {s.last_night:%d %b %Y}"
    esc_total = s.escalated_provider + s.escalated_emergency
    figures = "".join([
        _fig("cramp_episodes", s.cramp_episodes, "cramp episodes"),
        _fig("nights_with_cramps", s.nights_with_cramps, f"nights with cramps (of {s.nights_in_period})"),
        _fig("frequent_nights", s.frequent_nights, f"of the last {s.rule.window} nights had cramps",
             f"frequent: {'YES' if s.frequent else 'no'} (rule {s.rule.nights} of {s.rule.window})", s.frequent),
        _fig("pain_median", _num(s.pain_median), "median pain (0–10)",
             f"max {s.pain_max}; rated in {s.pain_rated}" if s.pain_max is not None else "not rated"),
        _fig("median_minutes", _num(s.median_minutes), "median minutes per cramp"),
        _fig("escalations", esc_total, "times told to get help",
             f"{s.escalated_emergency} emergency, {s.escalated_provider} provider", esc_total > 0),
        _fig("warning_yes", s.warning_yes, "warning signs answered yes", "", s.warning_yes > 0),
    ])

    leg_head = "".join(f'<th class="n">{_e(leg)}</th>' for leg in s.legs)
    leg_cells = "".join(f'<td class="n" data-key="leg_{_e(leg.replace(" ", "_"))}">{n}</td>'
                        for leg, n in s.legs.items())
    pain_head = "".join(f"<th>{i}</th>" for i in range(11))
    pain_cells = "".join(f'<td data-key="pain_{i}">{s.pain_counts.get(i, 0) or ""}</td>' for i in range(11))

    qrows = "".join(
        f'<tr class="{"yes" if q.yes else ""}"><td>{_e(q.label)}</td>'
        f'<td class="n" data-key="asked_{_e(q.key)}">{q.asked}</td>'
        f'<td class="n" data-key="yes_{_e(q.key)}">{q.yes}</td>'
        f'<td>{_e(_when(q.last_yes)) if q.last_yes else ""}</td></tr>'
        for q in s.questions)

    shown = s.escalations[-ESCALATION_ROWS:][::-1]
    erows = "".join(
        f'<tr class="esc"><td>{_e(_when(at))}</td><td>{_e(LEVEL_LABELS.get(level, level))}</td>'
        f'<td>{"said conditionally" if cond else "advised"}</td></tr>'
        for e, level, cond, at in shown) or '<tr><td colspan="3" class="none">None in this period.</td></tr>'
    if len(s.escalations) > len(shown):
        erows += (f'<tr><td colspan="3" class="none">… and {len(s.escalations) - len(shown)} earlier '
                  "(see the diary export).</td></tr>")

    recent = list(s.episodes)[-RECENT_ROWS:][::-1]
    rrows = "".join(
        f'<tr data-episode="{e.id}"><td>{_e(_when(e.started_at))}</td><td>{_e(e.kind)}</td>'
        f'<td class="n">{_num(e.duration_seconds / 60) if e.duration_seconds is not None else "–"}</td>'
        f'<td>{_e(e.leg or "")}</td><td class="n">{"" if e.pain is None else e.pain}</td>'
        f'<td>{_e(OUTCOME_LABELS.get(e.outcome or "", e.outcome or "in progress / unfinished"))}'
        f'{" (" + _e(LEVEL_LABELS.get(e.level, e.level)) + ")" if e.level else ""}</td></tr>'
        for e in recent) or '<tr><td colspan="6" class="none">No episodes in this period.</td></tr>'
    if len(s.episodes) > len(recent):
        rrows += (f'<tr><td colspan="6" class="none">… and {len(s.episodes) - len(recent)} earlier episodes '
                  "(all counted above).</td></tr>")

    data = json.dumps([[d.isoformat(), n] for d, n in s.per_night])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Leg cramp diary {period}</title>
<style>
/* Laid out for one A4 page: 275 mm of content height inside the page margins. */
@page {{ size: A4; margin: 11mm 12mm; }}
* {{ box-sizing: border-box; }}
body {{ font: 9pt/1.28 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1b1b; margin: 0; }}
/* On screen: the sheet itself, so what fits here fits on paper (and 1240 px wide = A4 at 150 dpi). */
@media screen {{
  html {{ background: #777; }}
  body {{ background: #fff; width: 210mm; min-height: 297mm; padding: 11mm 12mm; margin: 0 auto; }}
}}
@media screen and (min-width: 1200px) {{ html {{ zoom: 1.55; }} }}
h1 {{ font-size: 15pt; margin: 0 0 .5mm; }}
h2 {{ font-size: 10pt; margin: 3.2mm 0 1.2mm; border-bottom: 1px solid #999; padding-bottom: .4mm; }}
.sub {{ color: #444; margin: 0; font-size: 8.5pt; }}
.figs {{ display: grid; grid-template-columns: repeat(7, 1fr); gap: 1.8mm; margin-top: 2.5mm; }}
.fig {{ border: 1px solid #bbb; border-radius: 1.5mm; padding: 1.2mm 1.8mm; }}
.fig .num {{ display: block; font-size: 16pt; font-weight: bold; line-height: 1.15; }}
.fig .label {{ display: block; font-size: 7.5pt; color: #333; line-height: 1.2; }}
.fig .note {{ display: block; font-size: 7pt; color: #555; margin-top: .4mm; line-height: 1.2; }}
.fig.alert {{ border-color: #c0392b; background: #fdf0ee; }}
.fig.alert .note {{ color: #a52714; font-weight: bold; }}
figure {{ margin: 0; }}
figure svg {{ width: 100%; height: auto; display: block; }}
figcaption {{ font-size: 7.5pt; color: #555; }}
.cols {{ display: grid; grid-template-columns: 1.3fr 1fr; gap: 5mm; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; }}
th, td {{ text-align: left; padding: .45mm 1.2mm; border-bottom: 1px solid #e3e3e3; vertical-align: top; }}
th {{ font-weight: bold; background: #f1f1f1; }}
td.n, th.n {{ text-align: right; }}
table.pain th, table.pain td {{ text-align: center; padding: .45mm .4mm; }}
tr.yes td, tr.esc td {{ color: #a52714; font-weight: bold; }}
td.none {{ color: #666; font-style: italic; }}
footer {{ margin-top: 3mm; font-size: 7pt; color: #555; border-top: 1px solid #999; padding-top: 1.2mm; }}
</style>
</head>
<body>
<h1>Leg cramp diary — for the healthcare provider</h1>
<p class="sub">Nights {period} ({s.nights_in_period // 7} weeks) · generated {now:%d %b %Y %H:%M}
(UTC{now:%z}) · {len(s.episodes)} episodes in this period: cramps, bedtime stretches and warning-sign checks</p>

<div class="figs" id="figures">{figures}</div>

<h2>Cramp episodes per night</h2>
<figure id="chart" data-nights='{_e(data)}'>
{chart}
<figcaption>One bar per night, dated by its evening (episodes before {s.rule.cutoff_hour:02d}:00 count for the night
before). Shaded: the last {s.rule.window} nights, used by the "frequent" rule. ▼ a night the user was told to get
help.</figcaption>
</figure>

<div class="cols">
<div>
<h2>Warning-sign questions</h2>
<table id="questions"><tr><th>sign</th><th class="n">asked</th><th class="n">yes</th><th>last yes</th></tr>
{qrows}</table>
</div>
<div>
<h2>Escalations (told to get help)</h2>
<table id="escalations"><tr><th>when</th><th>advice</th><th>how</th></tr>{erows}</table>
<h2>Which leg (cramp episodes)</h2>
<table id="legs"><tr>{leg_head}</tr><tr>{leg_cells}</tr></table>
<h2>Pain ratings (0 none – 10 worst)</h2>
<table class="pain" id="pain"><tr>{pain_head}</tr><tr>{pain_cells}</tr></table>
<p class="sub">Rated in {s.pain_rated} of {s.cramp_episodes} cramp episodes.</p>
</div>
</div>

<h2>Recent episodes</h2>
<table id="recent"><tr><th>started</th><th>kind</th><th class="n">minutes</th><th>leg</th><th class="n">pain</th>
<th>ended</th></tr>{rrows}</table>

<footer>Recorded on the user's own device by voice-guide while it talked them through each episode; no audio is
kept. Answers are self-reported: this is a diary, not a diagnosis. "Frequent" here means
{_e(s.rule.describe())}. The warning signs come from the leaflet "Leg cramps during pregnancy": pain that is
frequent and severe, or redness, warmth, swelling or tenderness in the legs, means talking to the healthcare
provider right away.</footer>
</body>
</html>
"""


def build_report(episodes: Sequence[Episode], now: datetime, *, weeks: int = 4,
                 rule: FrequentRule | None = None) -> str:
    """Summarize ``episodes`` and render the one-page HTML report (raises UserError without matplotlib)."""
    s = summarize(episodes, now, weeks=weeks, rule=rule)
    return render_html(s, now, chart_svg(s))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable only by the user (it is health data), replacing it atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
