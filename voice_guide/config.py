"""One typed configuration, built at the edge: defaults < user file (XDG config dir) < command-line flags."""

from __future__ import annotations

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


def config_dir(env: dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/voice-guide``, else ``~/.config/voice-guide``."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", str(Path.home()))) / ".config")
    return Path(base) / "voice-guide"


def config_path(env: dict[str, str] | None = None) -> Path:
    """The user's config file."""
    return config_dir(env) / "config.toml"


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
        changes[key] = value
    return replace(obj, **changes)


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
    if overrides:
        cfg = _merge(cfg, {k: v for k, v in overrides.items() if v is not None}, "command line")
    return cfg
