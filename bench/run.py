#!/usr/bin/env python3
"""End-to-end scale benchmark: synthetic archives of N snapshots -> `policykb build` -> numbers.

    python bench/run.py --sizes 1000 5000 20000 [--incremental 10000] [--work /tmp/policykb-bench]
    python bench/run.py --smoke --work DIR --results DIR/RESULTS.md      # N=60, used by the test suite

For every N: generate the archive with bench/synth.py (deterministic; reused when already there),
then build it end to end with clean caches (`policykb build --timings`: read + analyse, page
generation, search index, MkDocs publish) under `/usr/bin/time -v`, and record

* wall time, CPU time (user + system, the build and its worker processes), phase times;
* peak memory: the peak of the whole process tree's memory (sum of PSS, sampled every 0.5 s from
  /proc; worker processes included, pages they share with the parent counted once) and `/usr/bin/time`'s "maximum resident set size" (the largest single process);
* output size (bytes and files under the site folder) and the median / maximum HTML size of the
  snapshot pages (`companies/<domain>/<date>/index.html`), to show that a page does not grow with N;
* per-query search download, via `bench/search_cost.py SITE QUERY... --json` when that script exists.

The incremental case (`--incremental N`, default 10,000; 0 to skip): build the N archive, add one
snapshot (a new version of an existing company), rebuild with the previous build's docs folder,
site and caches, as CI keeps them; the added time is what a routine update costs.

Results go to bench/RESULTS.md (or --results) with the machine (nproc, memory, load, Python, MkDocs,
Material versions) and the commands to reproduce; raw numbers to the same name with `.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TIME = Path("/usr/bin/time")
QUERIES_COMMON = ["cookies", "information", "third parties", "opt out"]
QUERIES_RARE = ["arbitration", "biometric", "plimsoquat", "zorbleflux"]
TARGETS = {
    "wall_20k_s": 300,
    "peak_rss_gib": 3.0,
    "search_median_kib": 300,
    "incremental_s": 15,
}


# --------------------------------------------------------------------------- measuring a command

def _pss(pid: int) -> int | None:
    """Proportional set size (bytes): pages shared with forked workers count once across the tree."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _tree_rss(root_pid: int) -> int:
    """Memory of `root_pid` and all its descendants, from /proc: the sum of PSS where the kernel
    reports it (so copy-on-write pages shared by forked workers are not counted twice), else RSS."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().decode("latin-1")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in rss:
            pss = _pss(pid)
            total += pss if pss is not None else rss[pid]
        todo.extend(children.get(pid, ()))
    return total


def measure(command: list[str], *, cwd: Path = ROOT, log: Path | None = None) -> dict:
    """Run `command` under /usr/bin/time -v; wall, CPU, peak RSS (tree and largest process), stderr tail."""
    timed = [str(TIME), "-v", *command] if TIME.exists() else command
    started = time.perf_counter()
    process = subprocess.Popen(timed, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if log is not None:
        log.write_text(f"$ {' '.join(command)}\n{stdout}\n--- stderr\n{stderr}", encoding="utf-8")
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stdout[-2000:]}\n{stderr[-4000:]}")
    result = {"wall_s": wall, "peak_tree_rss": peak, "stdout": stdout.strip().splitlines()[-3:]}
    patterns = {
        "user_s": r"User time \(seconds\): ([0-9.]+)",
        "sys_s": r"System time \(seconds\): ([0-9.]+)",
        "max_rss_kib": r"Maximum resident set size \(kbytes\): ([0-9]+)",
    }
    for key, pattern in patterns.items():
        match = re.search(pattern, stderr)
        if match:
            result[key] = float(match.group(1))
    if "user_s" in result:
        result["cpu_s"] = result["user_s"] + result.get("sys_s", 0.0)
        result["peak_process_rss"] = int(result["max_rss_kib"] * 1024)
    match = re.search(r"^timings: (.*)$", stderr, re.M)
    if match:
        result["phases"], result["phases_cpu"] = {}, {}
        for part in match.group(1).split(", "):
            name, value = part.rsplit(" ", 1)
            wall, _, cpu = value.partition("/")
            result["phases"][name] = float(wall.rstrip("s"))
            if cpu:
                result["phases_cpu"][name] = float(cpu.rstrip("cpu"))
    return result


# --------------------------------------------------------------------------- archives and sites

def synth(count: int, folder: Path) -> Path:
    manifest = folder / "synth-manifest.json"
    if manifest.is_file() and json.loads(manifest.read_text())["count"] == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([PYTHON, str(ROOT / "bench" / "synth.py"), "--count", str(count), "--out", str(folder), "-q"],
                   check=True, cwd=ROOT)
    return folder


def build_command(content: Path, work: Path, extra: list[str] = ()) -> list[str]:
    return [PYTHON, "-m", "generator.cli", "build", "--content", str(content), "--out", str(work / "site"),
            "--docs", str(work / "docs"), "--cache", str(work / "cache"), "--timings", *extra]


def clean(work: Path) -> None:
    for name in ("site", "docs", "cache"):
        shutil.rmtree(work / name, ignore_errors=True)


def site_size(site: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _, filenames in os.walk(site):
        for name in filenames:
            total += os.path.getsize(os.path.join(dirpath, name))
            files += 1
    return total, files


def snapshot_page_sizes(site: Path) -> list[int]:
    report = json.loads((site / "data" / "build-report.json").read_text(encoding="utf-8"))
    sizes = []
    for row in report["accepted"]:
        page = site / (row["page"][: -len(".md")] + "/index.html")
        sizes.append(page.stat().st_size)
    return sizes


def search_costs(site: Path, queries: list[str]) -> list[dict] | None:
    script = ROOT / "bench" / "search_cost.py"
    if not script.is_file() or shutil.which("node") is None:
        return None
    done = subprocess.run([PYTHON, str(script), str(site), *queries, "--json"], cwd=ROOT, capture_output=True,
                          text=True)
    if done.returncode != 0:
        print(f"search_cost.py failed: {done.stderr[-1000:]}", file=sys.stderr)
        return None
    rows = json.loads(done.stdout)["rows"]
    return [{"query": r["query"], "hits": r["total"], "bytes": r.get("cold", r.get("bytes")),
             "files": r["files"]} for r in rows]


def add_snapshot(content: Path) -> Path:
    """Add one new version to an existing company: its latest text, dated later, with a new paragraph."""
    today = date.today()
    for company in sorted((content / "snapshots").iterdir()):
        versions = sorted(p for p in company.glob("*.md") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.stem))
        if not versions:
            continue
        latest = date.fromisoformat(versions[-1].stem)
        if latest + timedelta(days=60) >= today:
            continue
        new_day = latest + timedelta(days=30)
        text = versions[-1].read_text(encoding="utf-8")
        text = text.replace(f"archived on {latest.isoformat()}", f"archived on {new_day.isoformat()}", 1)
        text = text.replace(f"/web/{latest.strftime('%Y%m%d')}", f"/web/{new_day.strftime('%Y%m%d')}", 1)
        text = text.rstrip("\n") + ("\n\n## Changes to this policy\n\nWe added this paragraph in the benchmark: "
                                    "we may update this policy and will post the new version on this page.\n")
        path = company / f"{new_day.isoformat()}.md"
        path.write_text(text, encoding="utf-8")
        return path
    raise SystemExit(f"no company in {content} to add a version to")


# --------------------------------------------------------------------------- the runs

def run_size(count: int, work_root: Path, queries: list[str]) -> dict:
    work = work_root / f"n{count}"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    content = synth(count, work / "content")
    synth_s = time.perf_counter() - t0
    clean(work)
    print(f"[{count}] building...", file=sys.stderr, flush=True)
    result = measure(build_command(content, work), log=work / "build.log")
    size, files = site_size(work / "site")
    pages = snapshot_page_sizes(work / "site")
    result.update(count=count, synth_s=synth_s, site_bytes=size, site_files=files,
                  page_median=statistics.median(pages) if pages else 0, page_max=max(pages, default=0))
    result["search"] = search_costs(work / "site", queries) if queries else None
    print(f"[{count}] {json.dumps({k: v for k, v in result.items() if k != 'search'})}", file=sys.stderr, flush=True)
    return result


def run_incremental(count: int, work_root: Path) -> dict:
    work = work_root / f"inc{count}"
    work.mkdir(parents=True, exist_ok=True)
    content = work / "content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(synth(count, work_root / f"n{count}" / "content"), content)
    clean(work)
    print(f"[incremental {count}] first build...", file=sys.stderr, flush=True)
    first = measure(build_command(content, work), log=work / "build-first.log")
    added = add_snapshot(content)
    print(f"[incremental {count}] added {added}; rebuilding...", file=sys.stderr, flush=True)
    second = measure(build_command(content, work), log=work / "build-incremental.log")
    return {"count": count, "added": str(added.relative_to(content)), "first": first, "incremental": second}


# --------------------------------------------------------------------------- the report

def _versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {"Python": platform.python_version()}
    for package in ("mkdocs", "mkdocs-material", "Markdown", "markdown-it-py", "Jinja2"):
        try:
            found[package] = version(package)
        except Exception:
            found[package] = "?"
    return found


def machine() -> dict:
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "memory_gib": round(int(memory) / 2**20, 1), "cpu": cpu,
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()), "versions": _versions(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value / 2**20:,.0f} MiB"


def _phases(result: dict) -> str:
    """Each phase's wall seconds, and its CPU seconds when recorded: `publish 120 (31 CPU)`."""
    cpu = result.get("phases_cpu", {})
    return ", ".join(f"{k} {v:.0f}" + (f" ({cpu[k]:.0f} CPU)" if k in cpu else "")
                     for k, v in result.get("phases", {}).items() if k != "total") or "-"


def markdown_report(data: dict, smoke: bool) -> str:
    m = data["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    lines = [
        "# Scale benchmark results" + (" (smoke run: no timing claims)" if smoke else ""),
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB; {versions}. "
        f"Load average at the end of the run: {m['load']} (the machine is shared: CPU seconds are fairer "
        f"than wall time). Run {m['date']}.",
        "",
        "Reproduce: `python bench/run.py --sizes 1000 5000 20000` (clean builds, then the 10,000 incremental "
        "case; `--smoke` for a 60-snapshot check). This file came from: "
        + "; ".join(f"`{command}`" for command in data["commands"]) + ".",
        "",
        "## Clean builds (generate + search index + MkDocs publish, empty caches)",
        "",
        "| snapshots | wall | CPU (user+sys) | phases: wall s (CPU s) | peak memory, process tree | peak RSS, largest process "
        "| site size | files | snapshot page HTML, median / max |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["sizes"]:
        lines.append(
            f"| {r['count']:,} | {r['wall_s']:.0f} s | {r.get('cpu_s', 0):.0f} s | {_phases(r)} "
            f"| {_mib(r['peak_tree_rss'])} | {_mib(r.get('peak_process_rss', 0))} | {_mib(r['site_bytes'])} "
            f"| {r['site_files']:,} | {r['page_median'] / 1024:.1f} / {r['page_max'] / 1024:.1f} KiB |")
    searched = [r for r in data["sizes"] if r.get("search")]
    lines += ["", "## Search: bytes downloaded per query (cold: index files + search.js, gzipped)", ""]
    if not searched:
        lines.append("Not measured: bench/search_cost.py (or node) was not available when this ran.")
    else:
        queries = [row["query"] for row in searched[0]["search"]]
        lines.append("| query | " + " | ".join(f"{r['count']:,}: hits, KiB" for r in searched) + " |")
        lines.append("| --- | " + " | ".join("---:" for _ in searched) + " |")
        for i, query in enumerate(queries):
            cells = [f"{r['search'][i]['hits']:,}, {r['search'][i]['bytes'] / 1024:.1f}" for r in searched]
            lines.append(f"| {query} | " + " | ".join(cells) + " |")
        medians = [f"{statistics.median(row['bytes'] for row in r['search']) / 1024:.1f}" for r in searched]
        lines.append("| **median** | " + " | ".join(medians) + " |")
    runs = data.get("incremental") or []
    runs = [runs] if isinstance(runs, dict) else runs
    lines += ["", "## Incremental build (add one snapshot, rebuild with the previous docs, site and caches)", ""]
    if not runs:
        lines.append("Not run.")
    else:
        lines += [
            "| archive | build | wall | CPU | phases: wall s (CPU s) | peak memory, process tree | docs files |",
            "| ---: | --- | ---: | ---: | --- | ---: | --- |",
        ]
        for inc in runs:
            for label, key in (("first build", "first"), (f"after adding `{inc['added']}`", "incremental")):
                r = inc.get(key)
                if not r:
                    continue
                written = next((line.split("; ")[1] for line in r.get("stdout", []) if "pages written" in line), "")
                lines.append(f"| {inc['count']:,} | {label} | {r['wall_s']:.1f} s | {r.get('cpu_s', 0):.1f} s "
                             f"| {_phases(r)} | {_mib(r['peak_tree_rss'])} | {written} |")
            if inc.get("note"):
                lines.append(f"| | *{inc['note']}* | | | | | |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000, 20000])
    parser.add_argument("--incremental", type=int, default=10000, help="archive size for the incremental case; 0: skip")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykb-bench"))
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--no-search", action="store_true", help="skip the search download column")
    parser.add_argument("--smoke", action="store_true", help="N=60 and an incremental case of 60; no timing claims")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="JSON",
                        help="only write --results from the raw .json files of earlier (e.g. concurrent) runs")
    args = parser.parse_args(argv)
    if args.merge:
        parts = [json.loads(path.read_text(encoding="utf-8")) for path in args.merge]
        data = {"commands": [c for part in parts for c in part["commands"]],
                "sizes": sorted((r for part in parts for r in part["sizes"]), key=lambda r: r["count"]),
                "incremental": [part["incremental"] for part in parts if part.get("incremental")],
                "machine": parts[-1]["machine"]}
        return write_results(data, args.results, smoke=False)
    if args.smoke:
        args.sizes, args.incremental = [60], 60
    queries = [] if args.no_search else QUERIES_COMMON + QUERIES_RARE
    args.work.mkdir(parents=True, exist_ok=True)
    data = {"commands": ["python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])], "sizes": []}
    for count in args.sizes:
        data["sizes"].append(run_size(count, args.work, queries))
    if args.incremental:
        data["incremental"] = run_incremental(args.incremental, args.work)
    data["machine"] = machine()
    return write_results(data, args.results, smoke=args.smoke)


def write_results(data: dict, results: Path, *, smoke: bool) -> int:
    results.parent.mkdir(parents=True, exist_ok=True)
    results.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    results.write_text(markdown_report(data, smoke), encoding="utf-8")
    print(f"wrote {results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
