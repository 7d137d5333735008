"""`policykb serve`: a local preview that regenerates the pages when content/ changes.

MkDocs' own server watches the docs folder and reloads the browser; we only add a
watcher on the content folder that re-runs the generator (MkDocs cannot: our logic
deliberately lives outside its plugin system).
"""

from __future__ import annotations

import threading
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.pipeline import generate
from generator.publish.mkdocs_api import preview
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


def serve(content_dir: Path, docs_dir: Path, dev_addr: str) -> int:
    generate(content_dir, docs_dir)
    observer = Observer()
    observer.schedule(_Regenerate(content_dir, docs_dir), str(content_dir), recursive=True)
    observer.start()
    try:
        preview(MKDOCS_CONFIG, docs_dir, dev_addr)
    finally:
        observer.stop()
        observer.join()
    return 0
