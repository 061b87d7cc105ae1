"""``voice-guide models``: install (URL with resume, zip), unsafe-archive rejection, atomic replace, list, remove."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from voice_guide import models as m
from voice_guide.__main__ import main

NAME = "vosk-model-shaped-test"


def model_shaped_zip(top: str = NAME, payload: int = 300_000, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip shaped like a Vosk model (am/, conf/, graph/, tiny files); not a working model, a structure test."""
    files = {
        "am/final.mdl": os.urandom(payload),  # random so it does not compress: the download has real length
        "conf/mfcc.conf": b"--use-energy=false\n",
        "conf/model.conf": b"--min-active=200\n",
        "graph/HCLr.fst": b"fst",
        "graph/Gr.fst": b"fst",
        "graph/phones/word_boundary.int": b"1 nonword\n",
    }
    files.update(extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(f"{top}/{path}" if top else path, data)
    return buf.getvalue()


class Server:
    """A loopback HTTP server with Range support and failure modes: drop_once, drop_always, no_range, fail, slow."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.mode = "normal"
        self.ranges: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                data = server.files.get(self.path)
                rng = self.headers.get("Range")
                server.ranges.append(rng)
                if data is None or server.mode == "fail":
                    self.send_error(404 if data is None else 500)
                    return
                start = 0
                if rng and server.mode != "no_range":
                    start = int(rng.split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = server.mode in ("drop_always", "slow") or (server.mode == "drop_once" and len(server.ranges) == 1)
                if not cut:
                    self.wfile.write(body)
                    return
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                if server.mode == "slow":
                    time.sleep(8)  # the test kills the client meanwhile

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def run_cli(*args: str | Path, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voice_guide", "models", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def tree(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def assert_clean_error(proc: subprocess.CompletedProcess[str], needle: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "voice-guide: error:" in proc.stderr and needle in proc.stderr, proc.stderr


def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.startswith(".install-") or p.name.endswith(".part"))


# ----- install by URL -----
def test_install_by_url_shows_progress_and_cleans_up(tmp_path: Path, server: Server) -> None:
    server.files["/m.zip"] = model_shaped_zip()
    proc = run_cli("install", server.url("/m.zip"), "--dir", tmp_path, "--name", NAME)
    assert proc.returncode == 0, proc.stderr
    assert "%" in proc.stderr and "downloading" in proc.stderr
    assert (tmp_path / NAME / "am" / "final.mdl").is_file() and (tmp_path / NAME / "graph").is_dir()
    assert leftovers(tmp_path) == []


def test_resume_after_dropped_connection_in_one_run(tmp_path: Path, server: Server) -> None:
    data = model_shaped_zip()
    server.files["/m.zip"] = data
    server.mode = "drop_once"
    proc = run_cli("install", server.url("/m.zip"), "--dir", tmp_path, "--name", NAME)
    assert proc.returncode == 0, proc.stderr
    assert "resuming" in proc.stderr
    assert server.ranges[0] is None and server.ranges[1] == f"bytes={(len(data)) // 2}-"
    assert (tmp_path / NAME / "am" / "final.mdl").is_file() and leftovers(tmp_path) == []


def test_resume_across_runs_keeps_part_file(tmp_path: Path, server: Server) -> None:
    server.files["/m.zip"] = model_shaped_zip()
    server.mode = "drop_always"
    proc = run_cli("install", server.url("/m.zip"), "--dir", tmp_path, "--name", NAME, "--retries", "0")
    assert_clean_error(proc, "run the same command again to resume")
    part = tmp_path / f"{NAME}.zip.part"
    have = part.stat().st_size
    assert 0 < have < len(server.files["/m.zip"]) and not (tmp_path / NAME).exists()
    server.mode = "normal"
    proc = run_cli("install", server.url("/m.zip"), "--dir", tmp_path, "--name", NAME)
    assert proc.returncode == 0, proc.stderr
    assert server.ranges[-1] == f"bytes={have}-" and not part.exists()


def test_server_ignoring_range_starts_over(tmp_path: Path, server: Server) -> None:
    data = model_shaped_zip()
    server.files["/m.zip"] = data
    (tmp_path / f"{NAME}.zip.part").write_bytes(b"garbage-prefix")
    server.mode = "no_range"
    proc = run_cli("install", server.url("/m.zip"), "--dir", tmp_path, "--name", NAME)
    assert proc.returncode == 0, proc.stderr
    assert "starting over" in proc.stderr and server.ranges == ["bytes=14-"]
    assert (tmp_path / NAME / "am" / "final.mdl").is_file()


# ----- install from a local zip, list, remove (in-process) -----
def test_local_zip_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    z = tmp_path / f"{NAME}.zip"
    z.write_bytes(model_shaped_zip())
    models = tmp_path / "models"
    assert main(["models", "install", str(z), "--dir", str(models), "-q"]) == 0
    assert m.is_vosk_model(models / NAME)
    capsys.readouterr()
    assert main(["models", "list", "--dir", str(models)]) == 0
    out = capsys.readouterr().out
    assert NAME in out and "speech backend now:" in out and "vosk-model-small-en-us-0.15" in out
    assert main(["models", "remove", NAME, "--dir", str(models)]) == 0
    assert not (models / NAME).exists() and leftovers(models) == []
    assert main(["models", "remove", NAME, "--dir", str(models)]) == 2
    err = capsys.readouterr().err
    assert f"no model named '{NAME}'" in err and "Traceback" not in err


def test_list_models_says_which_is_used(tmp_path: Path) -> None:
    z = tmp_path / "z.zip"
    z.write_bytes(model_shaped_zip(payload=10))
    project, cache = tmp_path / "project", tmp_path / "cache"
    m.install(str(z), project, name="vosk-model-small-en-us-0.15")
    m.install(str(z), cache, name="vosk-model-other")
    listing = m.list_models([project, cache], search_dirs=[project, cache], env={}, has_vosk=True,
                            has_pocketsphinx=True)
    used = {x.name: x.used for x in listing.models}
    assert used == {"vosk-model-small-en-us-0.15": True, "vosk-model-other": False}
    assert listing.backend is not None and listing.backend.name == "vosk"
    listing = m.list_models([project], search_dirs=[project, cache], env={}, has_vosk=False, has_pocketsphinx=True)
    assert listing.backend is not None and listing.backend.name == "pocketsphinx"
    assert "vosk package is not installed" in listing.models[0].reason


def test_default_target_dir(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "c"
    assert m.default_target_dir(project, cache) == cache  # no project dir: the cache
    project.mkdir()
    assert m.default_target_dir(project, cache) == project
    if os.geteuid() != 0:  # root can write anywhere
        project.chmod(0o555)
        assert m.default_target_dir(project, cache) == cache
        project.chmod(0o755)


def test_zip_without_common_top_folder(tmp_path: Path) -> None:
    z = tmp_path / "flat.zip"
    z.write_bytes(model_shaped_zip(top=""))
    assert m.install(str(z), tmp_path / "models") == tmp_path / "models" / "flat"
    assert m.is_vosk_model(tmp_path / "models" / "flat")


# ----- rejections -----
def _raw_zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def _symlink_entry() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(f"{NAME}/conf/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


BAD = {
    "dotdot": ([("../evil", b"x")], "'..'"),
    "absolute": ([("/tmp/evil", b"x")], "absolute path"),
    "symlink": ([(_symlink_entry(), b"/etc/passwd")], "symbolic link"),
    "bomb": ([(f"{NAME}/am/zeros", bytes(30_000_000))], "zip bomb"),
    "no_structure": ([(f"{NAME}/README", b"hello")], "not a Vosk model"),
    "incomplete": ([(f"{NAME}/am/final.mdl", b"x"), (f"{NAME}/conf/mfcc.conf", b"x")], "missing graph"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_rejects_unsafe_or_wrong_archives(tmp_path: Path, kind: str) -> None:
    entries, needle = BAD[kind]
    base = model_shaped_zip(payload=10)
    with zipfile.ZipFile(io.BytesIO(base)) as zf:  # the bad entries ride along with a valid model
        good = [(i.filename, zf.read(i)) for i in zf.infolist()] if kind not in ("no_structure", "incomplete") else []
    z = tmp_path / f"{NAME}.zip"
    z.write_bytes(_raw_zip([*good, *entries]))
    models = tmp_path / "models"
    with pytest.raises(m.UserError, match=needle):
        m.install(str(z), models)
    assert not (models / NAME).exists() and leftovers(models) == []
    assert not (tmp_path / "evil").exists()


def test_rejection_through_cli_has_no_traceback(tmp_path: Path) -> None:
    z = tmp_path / "evil.zip"
    z.write_bytes(_raw_zip([("../evil", b"x")]))
    assert_clean_error(run_cli("install", z, "--dir", tmp_path / "models"), "unsafe archive")
    assert_clean_error(run_cli("install", "no-such-model", "--dir", tmp_path), "unknown model")
    assert_clean_error(run_cli("install", "ftp://example.org/m.zip", "--dir", tmp_path), "unsupported source")
    assert_clean_error(run_cli("remove", "nothing-here", "--dir", tmp_path), "no model named")
    assert_clean_error(run_cli("remove", "../x", "--dir", tmp_path), "invalid model name")


def test_declared_size_and_file_count_limits(tmp_path: Path) -> None:
    z = tmp_path / f"{NAME}.zip"
    z.write_bytes(model_shaped_zip(payload=2_000_000))
    assert_clean_error(run_cli("install", z, "--dir", tmp_path / "models", "--max-size", "1"), "limit (--max-size)")
    with pytest.raises(m.UserError, match="entries, over the limit"):
        m.install(str(z), tmp_path / "models", limits=m.Limits(max_files=3))
    assert not (tmp_path / "models" / NAME).exists()


def test_wrong_sha256_from_catalogue(tmp_path: Path, server: Server) -> None:
    data = model_shaped_zip()
    server.files["/m.zip"] = data
    entry = m.CatalogueEntry(NAME, server.url("/m.zip"), "1M", "0" * 64, "test entry")
    with pytest.raises(m.UserError, match="SHA-256 mismatch"):
        m.install(NAME, tmp_path, catalogue={NAME: entry})
    assert not (tmp_path / NAME).exists() and leftovers(tmp_path) == []
    good = m.CatalogueEntry(NAME, entry.url, "1M", hashlib.sha256(data).hexdigest(), "test entry")
    assert m.install(NAME, tmp_path, catalogue={NAME: good}) == tmp_path / NAME


# ----- atomic replacement -----
def _existing(models: Path) -> dict[str, str]:
    z = models.parent / "old.zip"
    z.write_bytes(model_shaped_zip(payload=50))
    m.install(str(z), models, name=NAME)
    return tree(models / NAME)


def test_failed_download_leaves_existing_model(tmp_path: Path, server: Server) -> None:
    models = tmp_path / "models"
    before = _existing(models)
    server.files["/m.zip"] = model_shaped_zip()
    server.mode = "fail"
    assert_clean_error(run_cli("install", server.url("/m.zip"), "--dir", models, "--name", NAME), "HTTP 500")
    assert tree(models / NAME) == before


def test_killed_install_leaves_existing_model(tmp_path: Path, server: Server) -> None:
    models = tmp_path / "models"
    before = _existing(models)
    server.files["/m.zip"] = model_shaped_zip()
    server.mode = "slow"
    proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "models", "install", server.url("/m.zip"),
                             "--dir", str(models), "--name", NAME], stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    part = models / f"{NAME}.zip.part"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (part.exists() and part.stat().st_size > 0):
        time.sleep(0.05)
    proc.kill()
    proc.wait(5)
    assert part.exists() and tree(models / NAME) == before


def test_replace_existing_model(tmp_path: Path) -> None:
    models = tmp_path / "models"
    before = _existing(models)
    z = tmp_path / "new.zip"
    z.write_bytes(model_shaped_zip(payload=70))
    m.install(str(z), models, name=NAME)
    after = tree(models / NAME)
    assert after != before and after["am/final.mdl"] != before["am/final.mdl"]
    assert leftovers(models) == []


def test_bad_new_archive_keeps_existing_model(tmp_path: Path) -> None:
    models = tmp_path / "models"
    before = _existing(models)
    z = tmp_path / "bad.zip"
    z.write_bytes(_raw_zip([(f"{NAME}/README", b"not a model")]))
    with pytest.raises(m.UserError):
        m.install(str(z), models, name=NAME)
    assert tree(models / NAME) == before and leftovers(models) == []
