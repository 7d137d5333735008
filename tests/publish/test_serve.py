"""`policykb serve`: a new snapshot under content/ is regenerated, served, and the browser told to reload.

The reload itself, in a real browser, is tested in tests/browser/test_reader_ux.py with the
`serve_process` helper below.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support import CONTENT, snapshot_text

pytestmark = [pytest.mark.xdist_group("serve")]

POLICYKB = Path(sys.executable).parent / "policykb"
STARTUP_SECONDS = 60
RELOAD_SECONDS = 90  # generous: CI machines and shared dev boxes can be slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"policykb serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def serve_process(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`policykb serve` on a copy of the seed content: (base URL, content folder); killed on exit."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(POLICYKB), "serve", "--content", str(content), "--docs", str(tmp_path / "docs"),
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/companies/", process, STARTUP_SECONDS)
        yield url, content
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def add_snapshot(content: Path, domain: str = "newco.example", day: str = "2021-06-01",
                 body: str = "We collect what you tell us.") -> Path:
    snapshot = content / "snapshots" / domain / f"{day}.md"
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.write_text(snapshot_text(domain, day, body, title="Newco Privacy Policy"), encoding="utf-8")
    return snapshot


def fetch(url: str, timeout: float = 5) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def test_serve_regenerates_on_content_changes_and_signals_a_reload(tmp_path):
    with serve_process(tmp_path) as (url, content):
        page = fetch(url + "/companies/")
        assert "newco.example" not in page
        reload_call = re.search(r"livereload\((\d+), (\d+)\)", page)
        assert reload_call, "the preview pages carry MkDocs' live-reload script"
        epoch, request = reload_call.groups()
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page)
        if policy:  # the site's policy admits exactly this one inline script, by its hash
            assert "'unsafe-inline'" not in policy.group(1).split("script-src")[1].split(";")[0]
            assert "'sha256-" in policy.group(1)

        add_snapshot(content)

        # the browser's long poll answers with a newer epoch once the site is rebuilt
        answer = fetch(f"{url}/livereload/{epoch}/{request}", timeout=RELOAD_SECONDS + 70)
        assert int(answer) > int(epoch)
        deadline = time.monotonic() + RELOAD_SECONDS
        while "newco.example" not in fetch(url + "/companies/"):
            assert time.monotonic() < deadline, "the new snapshot never showed up in the company index"
            time.sleep(0.3)
        assert "We collect what you tell us." in fetch(url + "/companies/newco.example/2021-06-01/")
        assert (tmp_path / "docs" / "companies" / "newco.example" / "2021-06-01.md").is_file()


def test_serve_keeps_serving_when_a_bad_file_is_added(tmp_path):
    with serve_process(tmp_path) as (url, content):
        bad = content / "snapshots" / "broken.example" / "2020-01-01.md"
        bad.parent.mkdir(parents=True)
        bad.write_text("not a snapshot\n", encoding="utf-8")
        add_snapshot(content, "later.example", "2021-07-01")
        deadline = time.monotonic() + RELOAD_SECONDS
        while "later.example" not in fetch(url + "/companies/"):
            assert time.monotonic() < deadline, "a rejected file stopped the preview from regenerating"
            time.sleep(0.3)
        assert "broken.example" in fetch(url + "/report/")  # the rejection is on the build report
