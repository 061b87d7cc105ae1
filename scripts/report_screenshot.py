"""Render the provider report from a demo diary and screenshot it (and print it to PDF) with headless chromium.

    .venv/bin/python scripts/report_screenshot.py [OUT_DIR]      # default: build/report-screenshot/

Writes OUT_DIR/report.html, OUT_DIR/report.png (1240x1754: A4 at 150 dpi) and OUT_DIR/report.pdf, and says
how many pages the PDF has (the report must fit on one). Installs Debian's chromium if it is missing.
Nothing here is committed: build/ is ignored.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from voice_guide.__main__ import main as cli
from voice_guide.diary import Diary

TZ = timezone(timedelta(hours=1))
NOW = datetime(2024, 3, 17, 9, 30, tzinfo=TZ)
RELIEF = ["relief.straighten", "relief.massage", "relief.heat", "relief.walk", "relief.close"]
QUESTIONS = ["question.emergency", "question.frequent_severe", "question.redness", "question.warmth",
             "question.swelling", "question.tenderness"]


def make_demo(path: Path) -> None:
    """Four weeks of plausible nights: cramps getting more frequent, one provider escalation, checks, stretches."""
    rnd = random.Random(7)
    with Diary.open(path) as d:
        for back in range(27, -1, -1):
            evening = (NOW - timedelta(days=back)).replace(hour=22, minute=0) - timedelta(days=1)
            if back % 3 == 0:
                s = d.start_episode("stretch", evening)
                for key in ("stretch.intro", "stretch.left", "stretch.right", "stretch.both", "stretch.close"):
                    d.add_step(s, key, evening)
                d.end_episode(s, "done", at=evening + timedelta(minutes=3))
            p_cramp = 0.25 if back > 10 else 0.7
            for _ in range(2 if rnd.random() < 0.15 else 1):
                if rnd.random() > p_cramp:
                    continue
                start = evening + timedelta(hours=rnd.randint(3, 7), minutes=rnd.randint(0, 59))
                e = d.start_episode("cramp", start)
                steps = RELIEF[: rnd.randint(1, 4)]
                for i, key in enumerate(steps):
                    d.add_step(e, key, start + timedelta(seconds=40 * i))
                d.set_leg(e, rnd.choice(["left", "left", "right", "both"]))
                if rnd.random() < 0.8:
                    d.set_pain(e, rnd.randint(3, 9) if back > 3 else rnd.randint(6, 9))
                end = start + timedelta(seconds=40 * len(steps) + rnd.randint(30, 300))
                if back == 2:
                    # A worried night: the check, "frequent and severe" -> yes -> told to call the provider.
                    d.record_answer(e, QUESTIONS[0], False, end)
                    d.record_answer(e, QUESTIONS[1], True, end + timedelta(seconds=10))
                    d.record_escalation(e, "provider", end + timedelta(seconds=11))
                    d.end_episode(e, "escalated", "provider", at=end + timedelta(seconds=20))
                elif back == 9:
                    for i, q in enumerate(QUESTIONS):
                        d.record_answer(e, q, False, end + timedelta(seconds=8 * i))
                    d.end_episode(e, "all_clear", at=end + timedelta(seconds=60))
                else:
                    d.end_episode(e, rnd.choice(["better", "better", "better", "stopped"]), at=end)


def ensure_chromium() -> str:
    """The chromium binary, installed from Debian's packages when missing."""
    found = shutil.which("chromium")
    if found:
        return found
    sudo = [] if _is_root() else ["sudo"]
    print("report_screenshot: installing chromium (apt-get)", file=sys.stderr)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], check=True,
                   env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    found = shutil.which("chromium")
    if not found:
        sys.exit("report_screenshot: chromium is still not on PATH after installing it")
    return found


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def chromium(binary: str, *args: str) -> None:
    """Run headless chromium with a throw-away profile and no network chatter."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/report-screenshot").absolute()
    out.mkdir(parents=True, exist_ok=True)
    html, png, pdf = out / "report.html", out / "report.png", out / "report.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "diary.sqlite3"
        make_demo(db)
        rc = cli(["diary", "--db", str(db), "report", "--html", str(html), "--as-of", NOW.isoformat()])
        if rc:
            return rc
    binary = ensure_chromium()
    chromium(binary, f"--screenshot={png}", "--window-size=1240,1754", html.as_uri())
    chromium(binary, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri())
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    print(f"report: {html}\nscreenshot: {png}\npdf: {pdf} ({pages} page{'s' if pages != 1 else ''})")
    return 0 if pages == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
