"""Vosk speech models: a small catalogue, listing, safe resumable install from a name/URL/zip, and removal."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from .asr.base import (
    BackendChoice,
    choose_backend,
    engine_available,
    find_vosk_model,
    is_vosk_model,
    project_models_dir,
    user_cache_models_dir,
)
from .errors import UserError

CHUNK = 64 * 1024
PART_SUFFIX = ".zip.part"
TMP_PREFIX = ".install-"  # hidden working dirs inside the target dir; never a model at their top level


@dataclass(frozen=True)
class CatalogueEntry:
    """A known model: where the Vosk project publishes it, its listed size, and its SHA-256 when known."""

    name: str
    url: str
    size: str  # as listed on the Vosk models page; informative only, the server's Content-Length is checked
    sha256: str | None  # None: not published with the model, so only size and structure are checked
    description: str


CATALOGUE: dict[str, CatalogueEntry] = {
    e.name: e
    for e in (
        CatalogueEntry("vosk-model-small-en-us-0.15", "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
                       "40M", None, "small US English model (recommended for this device)"),
        CatalogueEntry("vosk-model-en-us-0.22-lgraph", "https://alphacephei.com/vosk/models/vosk-model-en-us-0.22-lgraph.zip",
                       "128M", None, "larger US English model, dynamic graph"),
        CatalogueEntry("vosk-model-en-us-0.22", "https://alphacephei.com/vosk/models/vosk-model-en-us-0.22.zip",
                       "1.8G", None, "big US English model (server class)"),
    )
}


@dataclass(frozen=True)
class Limits:
    """Archive safety limits; the defaults fit every published Vosk model with a wide margin."""

    max_total_bytes: int = 4 * 1024**3  # uncompressed total, and also the largest download accepted
    max_files: int = 20_000
    max_ratio: float = 100.0  # uncompressed/compressed; real models compress about 1.5-4x
    ratio_floor: int = 1024 * 1024  # entries smaller than this are not ratio-checked (tiny text files compress well)


class Progress(Protocol):
    """Where install reports what it is doing."""

    def message(self, text: str) -> None:
        """A one-line status message."""
        ...

    def update(self, done: int, total: int | None) -> None:
        """Bytes downloaded so far, out of total when known."""
        ...


class NullProgress:
    """Reports nothing."""

    def message(self, text: str) -> None:
        """Ignore the message."""

    def update(self, done: int, total: int | None) -> None:
        """Ignore the update."""


class StderrProgress:
    """A one-line progress bar, redrawn in place on a stream (stderr by default), at most every 1%."""

    def __init__(self, stream: IO[str] | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._last: tuple[int, int] | None = None
        self._open = False

    def message(self, text: str) -> None:
        """Print a status line (ending any bar in progress)."""
        self._end_bar()
        print(text, file=self.stream, flush=True)

    def update(self, done: int, total: int | None) -> None:
        """Redraw the bar when the shown percentage (or MB count, when the total is unknown) changes."""
        if total:
            pct = min(100, done * 100 // total)
            key = (pct, 0)
            filled = self.width * pct // 100
            line = f"\r[{'#' * filled}{'.' * (self.width - filled)}] {pct:3d}% {_mb(done)}/{_mb(total)}"
        else:
            key = (-1, done // (1024 * 1024))
            line = f"\r{_mb(done)} downloaded"
        if key != self._last:
            self._last = key
            self._open = True
            self.stream.write(line)
            self.stream.flush()

    def _end_bar(self) -> None:
        if self._open:
            self.stream.write("\n")
            self._open = False
            self._last = None


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


# ----- where models live -----
def default_dirs() -> list[Path]:
    """The two model directories the recognizer searches, in order."""
    return [project_models_dir(), user_cache_models_dir()]


def default_target_dir(project: Path | None = None, cache: Path | None = None) -> Path:
    """The project's ``models/`` dir when it exists and is writable (a checkout), else the user cache dir."""
    project = project_models_dir() if project is None else project
    cache = user_cache_models_dir() if cache is None else cache
    if project.is_dir() and os.access(project, os.W_OK | os.X_OK):
        return project
    return cache


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def check_name(name: str) -> str:
    """A model name must be one plain path component, so it can never point outside its directory."""
    if not _NAME_RE.fullmatch(name) or name.endswith(PART_SUFFIX) or ".." in name:
        raise UserError(f"invalid model name {name!r}: use letters, digits, '.', '_', '-' "
                        "(like vosk-model-small-en-us-0.15)")
    return name


# ----- list -----
@dataclass(frozen=True)
class InstalledModel:
    """A model directory found on disk, and whether the recognizer would use it (and why)."""

    name: str
    path: Path
    size_bytes: int
    used: bool
    reason: str


@dataclass(frozen=True)
class ModelListing:
    """Installed models, plus which backend runs now and why (or why none can)."""

    models: list[InstalledModel]
    backend: BackendChoice | None
    backend_reason: str


def _tree_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def list_models(
    dirs: Sequence[Path],
    *,
    search_dirs: Sequence[Path] | None = None,
    env: Mapping[str, str] | None = None,
    has_vosk: bool | None = None,
    has_pocketsphinx: bool | None = None,
) -> ModelListing:
    """Models directly inside ``dirs``; ``used``/``reason`` come from the same search and choice as start-up.

    ``search_dirs`` (default: project ``models/`` then the user cache) are where the recognizer looks;
    a model in another directory is listed but marked as not searched.
    """
    env = os.environ if env is None else env
    project, cache = (list(search_dirs) + [None, None])[:2] if search_dirs is not None else default_dirs()
    has_vosk = engine_available("vosk") if has_vosk is None else has_vosk
    has_ps = engine_available("pocketsphinx") if has_pocketsphinx is None else has_pocketsphinx
    found: Path | None = None
    choice: BackendChoice | None = None
    try:
        found = find_vosk_model(None, env, project, cache)
        choice = choose_backend(None, vosk_model=found, has_vosk=has_vosk, has_pocketsphinx=has_ps)
        backend_reason = choice.reason
    except UserError as exc:  # e.g. a wrong $VOICE_GUIDE_VOSK_MODEL: start-up would fail the same way
        backend_reason = str(exc)
    searched = {p.resolve() for p in (project, cache) if p is not None}
    models: list[InstalledModel] = []
    seen: set[Path] = set()
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.name.startswith(".") or not is_vosk_model(path) or path.resolve() in seen:
                continue
            seen.add(path.resolve())
            if found is not None and path.resolve() == found.resolve():
                used = choice is not None and choice.name == "vosk"
                reason = "used by vosk" if used else f"found first, but: {backend_reason}"
            elif directory.resolve() not in searched:
                used, reason = False, "not in the search path (pass --vosk-model or set VOICE_GUIDE_VOSK_MODEL)"
            elif found is not None:
                used, reason = False, f"not used: {found} comes first in the search order"
            else:
                used, reason = False, f"not used: {backend_reason}"
            models.append(InstalledModel(path.name, path, _tree_size(path), used, reason))
    return ModelListing(models, choice, backend_reason)


# ----- remove -----
def remove(name: str, dirs: Sequence[Path]) -> Path:
    """Delete the model ``name`` from the first of ``dirs`` that has it (plus any partial download there)."""
    check_name(name)
    for directory in dirs:
        path = directory / name
        if path.is_dir() and not path.is_symlink():
            # Rename first so a half-deleted tree is never seen as a model under its real name.
            trash = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{name}-", dir=directory))
            os.rename(path, trash / "old")
            shutil.rmtree(trash, ignore_errors=True)
            (directory / f"{name}{PART_SUFFIX}").unlink(missing_ok=True)
            return path
    installed = sorted({m.name for d in dirs if d.is_dir() for m in d.iterdir() if is_vosk_model(m)})
    where = ", ".join(str(d) for d in dirs)
    have = f"installed: {', '.join(installed)}" if installed else "no models are installed there"
    raise UserError(f"no model named {name!r} in {where}; {have}")


# ----- install -----
@dataclass(frozen=True)
class _Source:
    name: str
    url: str | None  # http(s) URL to download, or None for a local zip
    zip_path: Path | None
    sha256: str | None


def _name_from(path_part: str) -> str:
    base = PurePosixPath(urllib.parse.unquote(path_part)).name
    return base[:-4] if base.lower().endswith(".zip") else base


def _resolve(source: str, name: str | None, sha256: str | None, catalogue: Mapping[str, CatalogueEntry]) -> _Source:
    if source in catalogue:
        entry = catalogue[source]
        return _Source(check_name(name or entry.name), entry.url, None, sha256 or entry.sha256)
    parsed = urllib.parse.urlparse(source)
    scheme = parsed.scheme.lower()
    if scheme in ("http", "https"):
        return _Source(check_name(name or _name_from(parsed.path)), source, None, sha256)
    if scheme == "file":
        path = Path(urllib.request.url2pathname(parsed.path))
    elif scheme and len(scheme) > 1:  # one letter would be a Windows drive, i.e. a path
        raise UserError(f"unsupported source {source!r}: only http://, https://, file:// URLs or a local .zip path")
    else:
        path = Path(source).expanduser()
    if path.suffix.lower() == ".zip" or path.exists():
        if not path.is_file():
            raise UserError(f"no such zip file: {path}")
        return _Source(check_name(name or _name_from(path.name)), None, path, sha256)
    known = ", ".join(sorted(catalogue)) or "none"
    raise UserError(f"unknown model {source!r}: give a catalogue name ({known}), an http(s) URL or a .zip file")


Opener = Callable[..., Any]


def _content_total(resp: Any, start: int) -> int | None:
    """The full file size from Content-Range (``bytes a-b/total``) or start + Content-Length."""
    crange = resp.headers.get("Content-Range") or ""
    m = re.fullmatch(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", crange.strip())
    if m and m.group(3) != "*":
        return int(m.group(3))
    length = resp.headers.get("Content-Length")
    return start + int(length) if length and length.isdigit() else None


def _download_once(url: str, part: Path, *, opener: Opener, progress: Progress, max_bytes: int,
                   timeout: float) -> bool:
    """One request, resuming from ``part``'s size; True when the file is complete, False when cut short."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "voice-guide", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        resp = opener(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # our .part is not a prefix the server can continue: start over
            part.unlink()
            return False
        raise UserError(f"download failed: {url}: HTTP {exc.code} {exc.reason}") from None
    with resp:
        status = getattr(resp, "status", None) or resp.getcode()
        if have and status == 206:
            m = re.match(r"bytes\s+(\d+)-", resp.headers.get("Content-Range") or "")
            if not m or int(m.group(1)) != have:
                part.unlink()  # a range we did not ask for: cannot splice it safely
                return False
            mode = "ab"
            progress.message(f"resuming at {_mb(have)}")
        elif status in (200, 206):
            if have:
                progress.message("server does not support resuming; starting over")
            have, mode = 0, "wb"
        else:
            raise UserError(f"download failed: {url}: HTTP {status}")
        total = _content_total(resp, have)
        if total is not None and total > max_bytes:
            raise UserError(f"download is {_mb(total)}, over the {_mb(max_bytes)} limit (--max-size)")
        done = have
        with open(part, mode) as out:
            while True:
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if done > max_bytes or (total is not None and done > total):
                    part.unlink()
                    raise UserError(f"download from {url} is larger than announced or over the limit; removed it")
                progress.update(done, total)
            out.flush()
            os.fsync(out.fileno())
    # http.client returns b"" on an early close instead of raising, so the size check is what detects a drop.
    return total is None or done == total


def _download(url: str, part: Path, *, opener: Opener, progress: Progress, max_bytes: int, retries: int,
              timeout: float) -> None:
    progress.message(f"downloading {url}")
    last_error = "connection closed early"
    for attempt in range(retries + 1):
        try:
            if _download_once(url, part, opener=opener, progress=progress, max_bytes=max_bytes, timeout=timeout):
                progress.message(f"downloaded {_mb(part.stat().st_size)}")
                return
        except UserError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:  # drops, resets, timeouts, bad chunking
            last_error = str(getattr(exc, "reason", exc)) or type(exc).__name__
        if attempt < retries:
            progress.message(f"connection lost ({last_error}); retrying")
            time.sleep(min(2.0, 0.2 * (attempt + 1)))
    raise UserError(f"download of {url} did not complete ({last_error}); run the same command again to resume")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def _entry_parts(info: zipfile.ZipInfo) -> tuple[str, ...]:
    """The entry's path components, or UserError when it could land outside the target directory."""
    raw = info.filename.replace("\\", "/")  # Windows-made zips may use backslashes as separators
    if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or "\x00" in raw:
        raise UserError(f"unsafe archive: absolute path {info.filename!r}")
    parts = tuple(p for p in raw.split("/") if p not in ("", "."))
    if ".." in parts:
        raise UserError(f"unsafe archive: path with '..' {info.filename!r}")
    return parts


_Entries = list[tuple[zipfile.ZipInfo, tuple[str, ...]]]


def _check_archive(zf: zipfile.ZipFile, archive_size: int, limits: Limits) -> _Entries:
    """Reject unsafe or absurd archives before writing anything; return the entries with their paths."""
    infos = zf.infolist()
    if len(infos) > limits.max_files:
        raise UserError(f"archive has {len(infos)} entries, over the limit of {limits.max_files}")
    total = 0
    entries = []
    seen: set[tuple[str, ...]] = set()
    for info in infos:
        parts = _entry_parts(info)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise UserError(f"unsafe archive: symbolic link {info.filename!r}")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):  # devices, fifos, hard-link-like entries
            raise UserError(f"unsafe archive: special file {info.filename!r}")
        if info.flag_bits & 0x1:
            raise UserError(f"archive entry {info.filename!r} is encrypted")
        if not parts:
            continue
        if parts in seen and not info.is_dir():
            raise UserError(f"unsafe archive: duplicate entry {info.filename!r}")
        seen.add(parts)
        total += info.file_size
        if info.file_size >= limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise UserError(f"unsafe archive: {info.filename!r} expands {ratio}x "
                            f"(limit {limits.max_ratio:g}x); looks like a zip bomb")
        entries.append((info, parts))
    if total > limits.max_total_bytes:
        raise UserError(f"archive would unpack to {_mb(total)}, "
                        f"over the {_mb(limits.max_total_bytes)} limit (--max-size)")
    if total >= limits.ratio_floor and total > limits.max_ratio * max(archive_size, 1):
        raise UserError(f"unsafe archive: expands {total // max(archive_size, 1)}x overall; looks like a zip bomb")
    if not entries:
        raise UserError("the archive is empty")
    return entries


def _extract(zip_path: Path, dest: Path, limits: Limits) -> None:
    """Extract ``zip_path`` into the new directory ``dest``, dropping a single common top-level folder."""
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UserError(f"{zip_path.name} is not a readable zip archive ({exc})") from None
    with zf:
        entries = _check_archive(zf, zip_path.stat().st_size, limits)
        tops = {parts[0] for _info, parts in entries}
        strip = len(tops) == 1 and all(len(p) > 1 or i.is_dir() for i, p in entries)
        dest.mkdir()
        written = 0
        for info, parts in entries:
            rel = parts[1:] if strip else parts
            if not rel:
                continue
            out = dest.joinpath(*rel)
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            # Declared sizes can lie, so count what is really written; zipfile checks the CRC at the end.
            left = info.file_size
            try:
                with zf.open(info) as src, open(out, "xb") as dst:
                    while block := src.read(CHUNK):
                        left -= len(block)
                        written += len(block)
                        if left < 0 or written > limits.max_total_bytes:
                            raise UserError(f"unsafe archive: {info.filename!r} is larger than it declares")
                        dst.write(block)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise UserError(f"corrupt archive entry {info.filename!r} ({exc})") from None
            except FileExistsError:
                raise UserError(f"unsafe archive: entry {info.filename!r} collides with another") from None


def validate_model(path: Path) -> None:
    """UserError unless ``path`` is shaped like a Vosk model: acoustic model, features config and a graph."""
    if (path / "am" / "final.mdl").is_file():
        need = {"conf/mfcc.conf": (path / "conf" / "mfcc.conf").is_file(),
                "graph/HCLG.fst or graph/HCLr.fst": any((path / "graph" / f).is_file()
                                                        for f in ("HCLG.fst", "HCLr.fst"))}
    elif (path / "final.mdl").is_file():  # the older flat layout
        need = {"mfcc.conf": (path / "mfcc.conf").is_file() or (path / "conf" / "mfcc.conf").is_file(),
                "HCLG.fst or HCLr.fst": any((path / d / f).is_file() for d in (".", "graph")
                                            for f in ("HCLG.fst", "HCLr.fst"))}
    else:
        raise UserError("the archive is not a Vosk model (no am/final.mdl or final.mdl inside)")
    missing = [k for k, ok in need.items() if not ok]
    if missing:
        raise UserError(f"the archive is not a complete Vosk model (missing {', '.join(missing)})")
    if not is_vosk_model(path):
        raise UserError("the archive is not a Vosk model")


def _place(new: Path, target: Path, work: Path) -> None:
    """Swap ``new`` into ``target``: old model aside (inside ``work``), new in, so one is always in place."""
    old = work / "old"
    if target.exists() or target.is_symlink():
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        if old.exists():
            os.rename(old, target)
        raise


def install(
    source: str,
    target_dir: Path,
    *,
    progress: Progress | None = None,
    opener: Opener = urllib.request.urlopen,
    name: str | None = None,
    sha256: str | None = None,
    limits: Limits = Limits(),
    catalogue: Mapping[str, CatalogueEntry] = CATALOGUE,
    retries: int = 3,
    timeout: float = 30.0,
) -> Path:
    """Install a model from a catalogue name, an http(s)/file URL or a local .zip into ``target_dir/NAME``.

    Downloads resume from ``NAME.zip.part`` (kept if the download fails); the archive is checked (SHA-256
    when known, safe paths, no links, size/ratio/count limits), extracted into a hidden working dir inside
    ``target_dir``, validated as a Vosk model, and only then swapped in. Any failure leaves the previous
    model, if any, untouched. Returns the installed model's path.
    """
    progress = progress or NullProgress()
    src = _resolve(source, name, sha256, catalogue)
    expected = src.sha256.lower() if src.sha256 else None
    if expected is not None and not re.fullmatch(r"[0-9a-f]{64}", expected):
        raise UserError(f"invalid SHA-256 {src.sha256!r}: expected 64 hex digits")
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {target_dir}: {exc.strerror}") from None
    if not os.access(target_dir, os.W_OK | os.X_OK):
        raise UserError(f"{target_dir} is not writable; pass --dir to install elsewhere")
    target = target_dir / src.name
    part = target_dir / f"{src.name}{PART_SUFFIX}"
    if src.url is not None:
        _download(src.url, part, opener=opener, progress=progress, max_bytes=limits.max_total_bytes,
                  retries=retries, timeout=timeout)
        archive = part
    else:
        assert src.zip_path is not None
        archive = src.zip_path
    if expected is not None:
        actual = _sha256(archive)
        if actual != expected:
            if archive == part:
                part.unlink()  # bad bytes: resuming from them could never succeed
            raise UserError(f"SHA-256 mismatch for {src.name}: expected {expected}, got {actual}; nothing installed")
        progress.message("SHA-256 verified")
    work = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{src.name}-", dir=target_dir))
    try:
        # The model is unpacked one level down (work/new), so the search never mistakes it for an installed model.
        new = work / "new"
        progress.message(f"unpacking into {target_dir}")
        _extract(archive, new, limits)
        validate_model(new)
        _place(new, target, work)
    except OSError as exc:
        where = getattr(exc, "filename", "") or target_dir
        raise UserError(f"install failed: {exc.strerror or exc} ({where})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if archive == part:
        part.unlink(missing_ok=True)
    progress.message(f"installed {src.name} in {target}")
    return target
