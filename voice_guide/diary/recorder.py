"""The dialog runtime's side of the diary: one call per dialog event, never raising, failures reported once."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from .store import Diary

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime (local time with its offset, so nights are the user's)."""


def local_now() -> datetime:
    """The default clock: now, in the machine's local time zone."""
    return datetime.now().astimezone()


def stderr_warning(message: str) -> None:
    """A warning sink for the CLI: one line on stderr."""
    print(f"voice-guide: warning: {message}", file=sys.stderr)


class DiaryRecorder:
    """Records an episode as it happens, one committed write per event.

    Every ``on_*`` method swallows every error: the conversation always goes on. The first failure is
    reported once, through ``on_warning`` and in ``warnings``; ``degraded`` is True from then on (later
    failures are only counted in ``failures``). Writes are still attempted after a failure, so a disk that
    had a moment's trouble does not lose the rest of the night.

    Episode rules, matching the dialog: a ``check`` ("is this serious?") started while another episode is
    open joins it (its answers belong to that cramp); starting the kind already open is a no-op; any other
    start ends the open episode as ``interrupted``. A confirmed escalation ends the episode as ``escalated``
    at its level; a conditional one is recorded and the episode goes on. An escalation with no open episode
    (e.g. "chest pain" from idle) is recorded as a ``check`` episode of its own.

    A pain rating or a leg describes a cramp, and is often given once it is over ("it was an eight"): it goes
    to the open cramp episode, else to this session's last cramp (ended or not), else to the open episode, else
    to the last one that ended. With no episode this session it is not recorded.
    """

    def __init__(self, diary: Diary | None, clock: Clock = local_now, *,
                 on_warning: Callable[[str], None] | None = None, problem: str | None = None) -> None:
        self.diary = diary
        self.clock = clock
        self.on_warning = on_warning
        self.warnings: list[str] = []
        self.failures = 0
        self.episode_id: int | None = None
        self.kind: str | None = None
        self.last_episode_id: int | None = None
        """The episode started last in this session (open or ended)."""
        self.last_cramp_id: int | None = None
        """The cramp episode started last in this session (open or ended)."""
        if diary is None:
            self._fail(problem or "the cramp diary is not available; this conversation will not be recorded")

    @property
    def degraded(self) -> bool:
        """True once anything could not be recorded."""
        return self.failures > 0

    def _fail(self, message: str) -> None:
        self.failures += 1
        if self.failures > 1:
            return
        self.warnings.append(message)
        if self.on_warning is not None:
            try:
                self.on_warning(message)
            except Exception:  # a broken sink must not break the conversation either
                pass

    def _now(self) -> datetime:
        return self.clock()

    def _guard(self, what: str, action: Callable[[Diary], None]) -> None:
        if self.diary is None:
            return
        try:
            action(self.diary)
        except Exception as exc:  # by contract nothing escapes into the dialog loop
            self._fail(f"could not record {what} in the cramp diary ({exc}); the conversation goes on")

    # ----- events -----
    def on_episode_start(self, kind: str) -> None:
        """An episode began: ``cramp``, ``stretch`` or ``check``."""
        if self.episode_id is not None:
            if kind == self.kind or kind == "check":
                return
            self.on_end("interrupted")
        self._start(kind)

    def _start(self, kind: str) -> None:
        at = self._now()

        def start(d: Diary) -> None:
            self.episode_id = d.start_episode(kind, at)
            self.kind = kind
            self.last_episode_id = self.episode_id
            if kind == "cramp":
                self.last_cramp_id = self.episode_id

        self._guard("the start of an episode", start)

    def on_step(self, key: str) -> None:
        """A guidance step was said (its guidance key, e.g. ``relief.straighten``)."""
        eid, at = self.episode_id, self._now()
        if eid is not None:
            self._guard("a step", lambda d: d.add_step(eid, key, at))

    def on_answer(self, key: str, yes: bool) -> None:
        """A warning-sign question (``question.*`` key) was answered."""
        eid, at = self.episode_id, self._now()
        if eid is not None:
            self._guard("an answer", lambda d: d.record_answer(eid, key, yes, at))

    def on_escalate(self, level: str, conditional: bool = False) -> None:
        """The user was told to get help (``provider`` / ``emergency``); a confirmed one ends the episode."""
        if self.episode_id is None:
            self._start("check")
        eid, at = self.episode_id, self._now()
        if eid is None:
            return
        self._guard("an escalation", lambda d: d.record_escalation(eid, level, at, conditional))
        if not conditional:
            self._end("escalated", level)

    def on_end(self, outcome: str) -> None:
        """The episode ended (the dialog's episode ``End`` outcome: better, stopped, done, all_clear, ...)."""
        self._end(outcome, None)

    def _end(self, outcome: str, level: str | None) -> None:
        eid, at = self.episode_id, self._now()
        if eid is None:
            return
        # Forget it first: even if this write fails, the next episode must not be appended to this one.
        self.episode_id, self.kind = None, None
        self._guard("the end of an episode", lambda d: d.end_episode(eid, outcome, level, at=at))

    def _note_target(self) -> int | None:
        if self.episode_id is not None and self.kind == "cramp":
            return self.episode_id
        if self.last_cramp_id is not None:
            return self.last_cramp_id
        return self.episode_id if self.episode_id is not None else self.last_episode_id

    def on_leg(self, leg: str) -> None:
        """Which leg: ``left``, ``right`` or ``both`` (of the cramp open now or just ended, see the class)."""
        eid = self._note_target()
        if eid is not None:
            self._guard("which leg", lambda d: d.set_leg(eid, leg))

    def on_pain(self, n: int) -> None:
        """A pain rating, 0 to 10 (of the cramp open now or just ended, see the class)."""
        eid = self._note_target()
        if eid is not None:
            self._guard("a pain rating", lambda d: d.set_pain(eid, n))

    def close(self, outcome: str = "unfinished") -> None:
        """End of session: close an episode still open (as ``unfinished``) and the diary."""
        if self.episode_id is not None:
            self._end(outcome, None)
        if self.diary is not None:
            try:
                self.diary.close()
            except Exception as exc:  # shutting down must not raise either
                self._fail(f"could not close the cramp diary ({exc})")
            self.diary = None


def open_recorder(path: Path | str | None = None, clock: Clock = local_now, *,
                  on_warning: Callable[[str], None] | None = None, env: Mapping[str, str] | None = None,
                  busy_timeout_ms: int = 2000) -> DiaryRecorder:
    """Open the diary (default path from ``env``) and return a recorder; never raises.

    A diary that cannot be opened (read-only folder, full disk, corrupt or foreign file: never touched)
    gives a degraded recorder whose one warning says why.
    """
    try:
        diary: Diary | None = Diary.open(path, env=env, busy_timeout_ms=busy_timeout_ms)
        problem = None
    except Exception as exc:  # the conversation must start whatever the diary's state
        diary, problem = None, f"{exc}; this conversation will not be recorded"
    return DiaryRecorder(diary, clock, on_warning=on_warning, problem=problem)
