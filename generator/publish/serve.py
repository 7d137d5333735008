"""`policykb serve`: a local preview that regenerates the pages when content/ changes.

MkDocs' own server watches the docs folder and reloads the browser; we only add a
watcher on the content folder that re-runs the generator (MkDocs cannot: our logic
deliberately lives outside its plugin system).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from pathlib import Path

from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.pipeline import generate
from generator.util.paths import MKDOCS_CONFIG


class _Regenerate(FileSystemEventHandler):
    def __init__(self, content_dir: Path, docs_dir: Path) -> None:
        self.content_dir = content_dir
        self.docs_dir = docs_dir
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or "/." in str(event.src_path):
            return
        with self.lock:  # debounce bursts of events (an editor's save, a git checkout)
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(0.5, self.regenerate)
            self.timer.start()

    def regenerate(self) -> None:
        result = generate(self.content_dir, self.docs_dir)
        print(f"regenerated: {result.stats.written} pages changed, {len(result.archive.rejected)} rejected")


SCRIPT_SRC = re.compile(rb"(<meta http-equiv=\"Content-Security-Policy\" content=\"[^\"]*?script-src 'self')")


def allow_live_reload_script() -> None:
    """Let the site's Content-Security-Policy admit MkDocs' live-reload script, in the preview only.

    The policy (`script-src 'self'`) blocks the inline script MkDocs' preview server injects
    into every page to reload it; without it, the browser would never reload. The preview
    adds that one script's hash to the policy of the page it serves, so every other inline
    script stays blocked. The published site is not affected.
    """
    original = LiveReloadServer._inject_js_into_html
    if getattr(original, "policykb", False):
        return

    def inject(self: LiveReloadServer, content: bytes, epoch: int) -> bytes:
        page = original(self, content, epoch)
        start = page.rfind(b"<script>")
        end = page.find(b"</script>", start)
        if start < 0 or end < 0:
            return page
        digest = base64.b64encode(hashlib.sha256(page[start + len(b"<script>"):end]).digest())
        return SCRIPT_SRC.sub(lambda m: m.group(1) + b" 'sha256-" + digest + b"'", page, count=1)

    inject.policykb = True  # type: ignore[attr-defined]
    LiveReloadServer._inject_js_into_html = inject  # type: ignore[method-assign]


def serve(content_dir: Path, docs_dir: Path, dev_addr: str) -> int:
    allow_live_reload_script()
    generate(content_dir, docs_dir)
    observer = Observer()
    observer.schedule(_Regenerate(content_dir, docs_dir), str(content_dir), recursive=True)
    observer.start()
    try:
        mkdocs_serve(config_file=str(MKDOCS_CONFIG), docs_dir=str(docs_dir.resolve()), dev_addr=dev_addr,
                     livereload=True)
    finally:
        observer.stop()
        observer.join()
    return 0
