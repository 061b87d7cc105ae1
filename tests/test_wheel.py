"""The built wheel works on its own.

Why this exists: the intent phrases (intents/*.yaml, shipped as voice_guide/intent_data/) and the spoken
guidance (voice_guide/data/guidance.yaml) are data files, not Python modules. The editable install used in
development reads them straight from the checkout, so a packaging mistake (a missing package-data glob, a
wrong package-dir) would pass every other test and only break for a real user. This test builds the wheel
non-editably, installs it into a private directory and runs it from elsewhere, so the data must ship inside
the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INTENT_FILES = sorted(p.name for p in (REPO / "intents").glob("*.yaml"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a clean copy of the checkout: building in place writes build/ into the shared tree, and a
    # stale build/lib there can put files into the wheel that the checkout no longer has.
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".venv", "build", "dist", "*.egg-info", ".git", "models", "__pycache__", ".pytest_cache", ".mypy_cache",
        ".ruff_cache", "out"))
    dist = tmp / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir", "-q",
         "-w", str(dist), str(src)],
        capture_output=True, text=True, timeout=300, check=False)
    assert build.returncode == 0, f"wheel build failed:\n{build.stdout}\n{build.stderr}"
    wheels = list(dist.glob("voice_guide-*.whl"))
    assert len(wheels) == 1, wheels
    target = tmp / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-cache-dir", "-q", "--target", str(target),
         str(wheels[0])],
        capture_output=True, text=True, timeout=300, check=False)
    assert install.returncode == 0, f"wheel install failed:\n{install.stdout}\n{install.stderr}"
    return target


def run_in(site: Path, cwd: Path, args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run Python with the wheel's copy first on the path (it wins over the editable install)."""
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1", "XDG_CONFIG_HOME": str(cwd)}
    return subprocess.run([sys.executable, *args], input=stdin, capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=60, check=False)


def test_installed_package_is_the_wheel_copy_with_its_data(site: Path, tmp_path: Path) -> None:
    code = (
        "import json, pathlib, voice_guide, voice_guide.content as c, voice_guide.intents as i;"
        "pkg = pathlib.Path(voice_guide.__file__).resolve().parent;"
        "print(json.dumps({'file': voice_guide.__file__, 'guidance': str(c.default_guidance_path()),"
        " 'intents': sorted(p.name for p in (pkg / 'intent_data').glob('*.yaml')),"
        " 'data': sorted(p.name for p in (pkg / 'data').iterdir())}))"
    )
    proc = run_in(site, tmp_path, ["-c", code])
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    site_resolved = site.resolve()
    assert Path(info["file"]).resolve().is_relative_to(site_resolved), info["file"]
    guidance = Path(info["guidance"]).resolve()
    assert guidance.is_relative_to(site_resolved) and guidance.is_file()
    assert "guidance.yaml" in info["data"]
    assert "pocketsphinx-en-us-synthetic.mllr" in info["data"], "the wheel must ship the adaptation transform"
    assert "pocketsphinx-en-us-synthetic.npz" in info["data"], "the wheel must ship the MAP mean offsets"
    assert INTENT_FILES, "no intents/*.yaml in the checkout"
    assert info["intents"] == INTENT_FILES, "the wheel must ship every intent file"


def test_installed_wheel_understands_text(site: Path, tmp_path: Path) -> None:
    proc = run_in(site, tmp_path, ["-m", "voice_guide", "understand", "--json", "--text"],
                  "I have a cramp\nmy chest hurts\n")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["intent"] for r in results] == ["cramp_now", "emergency"]


def test_installed_wheel_reads_no_file_from_the_checkout(site: Path, tmp_path: Path) -> None:
    # The intent model and the guidance must come from the wheel's copies: record every file opened.
    code = (
        "import sys, json; opened = [];"
        "sys.addaudithook(lambda ev, a: opened.append(str(a[0])) if ev == 'open' and a and a[0] else None);"
        "import voice_guide.content as c, voice_guide.matcher as m;"
        "g = c.default_guidance(); r = m.match('I have a cramp', m.default_model());"
        "print(json.dumps({'steps': len(g.relief_steps), 'intent': r.intent, 'opened': opened}))"
    )
    proc = run_in(site, tmp_path, ["-c", code])
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["steps"] >= 1 and info["intent"] == "cramp_now"
    yaml_files = [p for p in info["opened"] if p.endswith(".yaml")]
    assert any(p.endswith("guidance.yaml") for p in yaml_files), yaml_files
    assert any("intent_data" in p for p in yaml_files), yaml_files
    from_checkout = [p for p in info["opened"] if Path(p).resolve().is_relative_to(REPO)
                     and not Path(p).resolve().is_relative_to(REPO / ".venv")]
    assert not from_checkout, f"files read from the checkout instead of the wheel: {from_checkout}"


def test_installed_wheel_adapts_the_embedded_model_with_its_own_files(site: Path, tmp_path: Path) -> None:
    code = (
        "from voice_guide.asr import pocketsphinx_backend as b; from voice_guide.intents import load_intents;"
        "r = b.PocketSphinxRecognizer(load_intents()); r._use_room(False, True); r._use_room(True, True);"
        "print(*r.adaptations.values(), sep=chr(10));"
        "print(b.SYNTHETIC_VOICE_MAP, b.NOISY_ROOM_MAP, b.NARROWBAND_MAP, b.NARROWBAND_NOISY_MAP, sep=chr(10))"
    )
    proc = run_in(site, tmp_path, ["-c", code])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:4] == ["MLLR + MAP"] * 4, "quiet, noisy, 8 kHz and noisy 8 kHz rooms all adapted"
    for path in lines[4:]:
        assert Path(path).resolve().is_relative_to(site.resolve()), path
