"""`policykb`: the command line for maintainers."""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator.analyse.snapshot import load_context
from generator.read.site_data import ConfigError, data_file, load_site_data
from generator.read.intake import file_snapshot
from generator.archive import load_archive
from generator.pipeline import GenerateResult, generate, write_archive
from generator.render.history import load_milestones
from generator.util.progress import wanted as progress_wanted
from generator.publish.site import PublishError, publish, quiet_mkdocs_info
from generator.read.snapshots import SnapshotError, read_content

DEFAULT_CONTENT = Path("content")
DEFAULT_DOCS = Path("build/docs")
DEFAULT_SITE = Path("site")
DEFAULT_CACHE = Path("build/cache")


def _content_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT,
                        help="content folder holding snapshots/<domain>/<date>.md (default: content)")


def _cache_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="folder for per-snapshot analysis kept between builds (default: build/cache)")


def _print_rejections(rejected: Sequence[SnapshotError]) -> None:
    for error in rejected:
        print(f"rejected: {error}", file=sys.stderr)


def command_add(args: argparse.Namespace) -> int:
    failures = 0
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as error:
            print(f"{name}: cannot read: {error.strerror}", file=sys.stderr)
            failures += 1
            continue
        try:
            filed = file_snapshot(data, name, args.content)
        except SnapshotError as error:
            print(str(error), file=sys.stderr)
            failures += 1
            continue
        print(f"{filed.status}: {name} -> {filed.destination.as_posix()}")
    return 1 if failures else 0


def command_import_git(args: argparse.Namespace) -> int:
    from generator.read.git_import import GitImportError, import_git

    try:
        report = import_git(args.repo, args.content, args.paths or None)
    except GitImportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for filed in report.added:
        print(f"added: {filed.source} -> {filed.destination.as_posix()}")
    _print_rejections(report.rejected)
    print(report.summary(str(args.repo)))
    return 1 if report.rejected else 0


def _summary(result: GenerateResult, what: str) -> str:
    archive = result.archive
    stats = result.stats
    return (f"{what}: {len(archive.snapshots)} snapshots of {len(archive.companies)} companies; "
            f"pages written {stats.written}, unchanged {stats.unchanged}, removed {stats.removed}; "
            f"rejected {len(archive.rejected)}")


def _summarise(result: GenerateResult, what: str) -> None:
    print(_summary(result, what))


def command_generate(args: argparse.Namespace) -> int:
    result = generate(args.content, args.docs, cache_dir=args.cache)
    _summarise(result, f"generated {args.docs}")
    _print_rejections(result.archive.rejected)
    return 1 if result.archive.rejected and not args.keep_going else 0


def _cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes (user + system)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def command_build(args: argparse.Namespace) -> int:
    quiet_mkdocs_info()
    progress = progress_wanted(args.progress)
    started = lap = time.perf_counter()
    cpu_lap = _cpu_seconds()
    phases: list[str] = []

    def phase(name: str) -> None:
        nonlocal lap, cpu_lap
        now, cpu = time.perf_counter(), _cpu_seconds()
        phases.append(f"{name} {now - lap:.1f}s/{cpu - cpu_lap:.1f}cpu")
        lap, cpu_lap = now, cpu

    archive = load_archive(args.content, cache_dir=args.cache, progress=progress)
    phase("read+analyse")
    if archive.rejected and not args.keep_going:
        _print_rejections(archive.rejected)
        print(f"build stopped: {len(archive.rejected)} file(s) rejected; fix them or pass --keep-going",
              file=sys.stderr)
        return 1
    result = write_archive(archive, args.docs, progress=progress)
    phase("generate")
    summary, rejected = _summary(result, f"built {args.out}"), list(archive.rejected)
    content_date = archive.last_archived
    state_dir = args.cache / "publish" if args.cache is not None else None
    del archive, result  # MkDocs holds every page in memory: let it reuse the summaries' memory
    gc.collect()
    incremental = publish(args.docs, args.out, content_date=content_date, strict=not args.no_strict,
                          state_dir=state_dir, progress=progress)
    phase("publish (incremental)" if incremental else "publish")
    print(summary)
    _print_rejections(rejected)
    if args.timings:
        print(f"timings: {', '.join(phases)}, total {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


def command_check(args: argparse.Namespace) -> int:
    # every editable YAML file the build reads, through the same loaders, so check fails where build would
    load_site_data(args.content)  # companies.yml, site.yml
    load_context(args.content)  # topics.yml, facts.yml
    load_milestones(args.content)
    result = read_content(args.content)
    _print_rejections(result.rejected)
    print(f"checked {len(result.snapshots) + len(result.rejected)} files: "
          f"{len(result.snapshots)} valid, {len(result.rejected)} rejected")
    return 1 if result.rejected else 0


def command_tag(args: argparse.Namespace) -> int:
    from generator.analyse.topics import main_tag

    taxonomy = data_file(args.content, "topics.yml")
    if taxonomy is None:
        raise ConfigError(f"no topics.yml in {args.content} or the project's content folder")
    return main_tag(args.input, args.output, taxonomy)


def command_serve(args: argparse.Namespace) -> int:
    from generator.publish.serve import serve

    return serve(args.content, args.docs, args.dev_addr)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policykb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    add = commands.add_parser("add", help="validate snapshot files and file them into the content folder")
    add.add_argument("files", nargs="+", help="snapshot files, any names")
    _content_argument(add)
    add.set_defaults(run=command_add)

    gen = commands.add_parser("generate", help="write the Markdown pages into the docs folder")
    _content_argument(gen)
    gen.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="docs folder to write (default: build/docs)")
    gen.add_argument("--keep-going", action="store_true", help="exit 0 even when some files are rejected")
    _cache_argument(gen)
    gen.set_defaults(run=command_generate)

    bld = commands.add_parser("build", help="generate the pages and publish the site with MkDocs")
    _content_argument(bld)
    bld.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="docs folder to write (default: build/docs)")
    bld.add_argument("--out", type=Path, default=DEFAULT_SITE, help="site folder to publish into (default: site)")
    bld.add_argument("--keep-going", action="store_true", help="publish the valid snapshots even if some are rejected")
    bld.add_argument("--no-strict", action="store_true", help="do not turn MkDocs warnings into errors")
    bld.add_argument("--progress", action="store_true",
                     help="show progress bars on stderr (default: only when stderr is a terminal)")
    bld.add_argument("--timings", action="store_true", help="print the time of each build phase on stderr")
    _cache_argument(bld)
    bld.set_defaults(run=command_build)

    imp = commands.add_parser("import-git", help="file every historical version of snapshot files in a git repository")
    imp.add_argument("repo", type=Path, help="a git repository laid out like the dataset: a/ab/abc/<domain>.md")
    imp.add_argument("--paths", nargs="+", metavar="GLOB",
                     help="git glob pathspecs of the files to import (default: */*/*/*.md)")
    _content_argument(imp)
    imp.set_defaults(run=command_import_git)

    chk = commands.add_parser("check", help="validate the editable YAML files and every snapshot; "
                                            "non-zero exit lists each bad file")
    _content_argument(chk)
    chk.set_defaults(run=command_check)

    tag = commands.add_parser("tag", help="tag JSONL rows {id, text, heading?} with topics (evaluation interface)")
    tag.add_argument("--input", help="JSONL file to read (default: standard input)")
    tag.add_argument("--output", help="JSONL file to write (default: standard output)")
    _content_argument(tag)
    tag.set_defaults(run=command_tag)

    srv = commands.add_parser("serve", help="preview locally; regenerates when content/ changes")
    _content_argument(srv)
    srv.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    srv.add_argument("--dev-addr", default="127.0.0.1:8000")
    srv.set_defaults(run=command_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ConfigError, PublishError, SnapshotError) as error:  # SnapshotError: a file changed during the build
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
