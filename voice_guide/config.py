"""One typed configuration, built at the edge: defaults < user file (XDG config dir) < command-line flags."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .dialog import Timings
from .errors import UserError


@dataclass(frozen=True)
class VoiceSettings:
    """How the assistant speaks at night."""

    rate_wpm: int = 140
    """espeak-ng words per minute at rate multiplier 1.0 (its default is 175: this is slower, calmer)."""
    volume: float = 0.5
    """Output gain at volume multiplier 1.0 (0..1): soft by default."""
    voice: str = ""
    """TTS voice id or name; empty means the engine's default English voice."""
    rate: float = 1.0
    """Remembered multiplier from "slower"/"faster"."""
    loudness: float = 1.0
    """Remembered multiplier from "louder"/"softer"."""


@dataclass(frozen=True)
class DiarySettings:
    """The cramp diary (``[diary]``): whether to keep it, and when cramps count as frequent."""

    enabled: bool = True
    """Record episodes (no audio, no words said) in $XDG_DATA_HOME/voice-guide/diary.sqlite3."""
    frequent_nights: int = 4
    """Cramps are "frequent" on at least this many of the last ``frequent_window`` nights ..."""
    frequent_window: int = 7
    night_cutoff_hour: int = 12
    """An episode before this local hour belongs to the previous evening's night (0..23)."""


@dataclass(frozen=True)
class Config:
    """Everything the assistant is told at start-up."""

    timings: Timings = field(default_factory=Timings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    wake_phrase: str = "hey guide"
    always_listen: bool = False
    backend: str = "auto"
    vosk_model: str = ""
    input_device: str = ""
    output_device: str = ""
    diary: DiarySettings = field(default_factory=DiarySettings)


def config_dir(env: dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/voice-guide``, else ``~/.config/voice-guide``."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", str(Path.home()))) / ".config")
    return Path(base) / "voice-guide"


def config_path(env: dict[str, str] | None = None) -> Path:
    """The user's config file."""
    return config_dir(env) / "config.toml"


def remembered_path(env: dict[str, str] | None = None) -> Path:
    """Voice settings changed by voice ("slower", "louder"), kept across runs (written by voice-guide)."""
    return config_dir(env) / "remembered.toml"


def remember_voice(cfg: Config, rate: float, volume: float, path: Path | None = None) -> str | None:
    """Store the voice the user asked for: the start-up settings times this session's changes.

    Written atomically (temporary file, then rename). Returns a one-line problem instead of raising:
    a read-only config dir must not stop the conversation.
    """
    path = path or remembered_path()
    low_r, high_r = _LIMITS["rate"]
    low_l, high_l = _LIMITS["loudness"]
    new_rate = round(min(high_r, max(low_r, cfg.voice.rate * rate)), 3)
    new_loud = round(min(high_l, max(low_l, cfg.voice.loudness * volume)), 3)
    text = (f"# Written by voice-guide when you say slower/faster/louder/softer. Delete to reset.\n"
            f"[voice]\nrate = {new_rate}\nloudness = {new_loud}\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        return f"cannot remember the voice settings in {path} ({exc.strerror}); they last until you quit"
    return None


def _merge(obj: Any, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise UserError(f"{where}: unknown setting {key!r}; remove it or check the spelling")
        current = getattr(obj, key)
        if hasattr(current, "__dataclass_fields__"):
            if not isinstance(value, dict):
                raise UserError(f"{where}: [{key}] must be a table")
            changes[key] = _merge(current, value, f"{where} [{key}]")
            continue
        expected = type(current)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise UserError(f"{where}: {key} must be {expected.__name__}, not {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise UserError(f"{where}: {key} must be a finite number")
        changes[key] = value
    return replace(obj, **changes)


# Sensible bounds: (low, high) for numeric settings; out of range is an error that says the range.
_LIMITS: dict[str, tuple[float, float]] = {
    "hold_seconds": (1, 600), "massage_seconds": (1, 600), "stretch_seconds": (1, 600),
    "listen_seconds": (1, 120), "rate_wpm": (60, 400), "volume": (0.05, 1.0), "rate": (0.5, 2.0),
    "loudness": (0.25, 2.0), "frequent_nights": (1, 366), "frequent_window": (1, 366), "night_cutoff_hour": (0, 23),
}


def _check_ranges(obj: Any, where: str) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        if hasattr(value, "__dataclass_fields__"):
            _check_ranges(value, where)
        elif f.name in _LIMITS and isinstance(value, int | float) and not isinstance(value, bool):
            low, high = _LIMITS[f.name]
            if not low <= value <= high:
                raise UserError(f"{where}: {f.name} = {value} is out of range; use {low:g} to {high:g}")
    if isinstance(obj, DiarySettings) and obj.frequent_nights > obj.frequent_window:
        raise UserError(f"{where}: [diary] frequent_nights = {obj.frequent_nights} is more than frequent_window = "
                        f"{obj.frequent_window}; use at most {obj.frequent_window}")


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Build the config: defaults, then the user's TOML file if it exists, then overrides (flags)."""
    cfg = Config()
    path = path or config_path()
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"{path}: cannot read config ({exc}); fix or delete the file") from exc
        cfg = _merge(cfg, data, str(path))
        _check_ranges(cfg, str(path))
    remembered = path.parent / "remembered.toml"
    if remembered.exists():
        try:
            voice = tomllib.loads(remembered.read_text(encoding="utf-8")).get("voice", {})
            kept = {k: v for k, v in voice.items() if k in ("rate", "loudness")}
            cfg = _merge(cfg, {"voice": kept}, str(remembered))
            _check_ranges(cfg, str(remembered))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, UserError, AttributeError):
            pass  # a damaged memory of the voice is not worth stopping for: the configured voice is used
    if overrides:
        cfg = _merge(cfg, {k: v for k, v in overrides.items() if v is not None}, "command line")
        _check_ranges(cfg, "command line")
    return cfg
