#!/usr/bin/env python3
"""Turn a synth archive (bench/synth.py output) into Material-like HTML pages for search probes.

    python bench/search_probe/make_html.py SYNTH_DIR SITE_DIR [--limit N] [--jobs 2]

Each snapshot becomes SITE_DIR/companies/<domain>/<date>/index.html: ~8 KB of Material-like
chrome (header, tabs, a 40-link nav, a TOC, footer, scripts) around
``<article class="md-content__inner md-typeset" data-pagefind-body>`` holding the policy
(metadata card + headings + paragraphs).  Not MkDocs output, but the same shape for an indexer.
Also writes SITE_DIR/docs.jsonl: one {"url","title","text","filters"} per page, the plain text
the custom index consumed (the prototype, now generator/search.py).
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing as mp
import re
from pathlib import Path

HEADER_RE = re.compile(r"from the (\S+) privacy policy that was archived on (\d{4}-\d{2}-\d{2})")

NAV = "\n".join(
    f'<li class="md-nav__item"><a href="/topics/topic-{i}/" class="md-nav__link">'
    f'<span class="md-ellipsis">Topic number {i}</span></a></li>' for i in range(40)
)


def page(domain: str, date: str, title: str, blocks: list[str]) -> tuple[str, str]:
    body, toc, text = [], [], []
    for k, b in enumerate(blocks):
        if b.startswith("#"):
            h = b.lstrip("#").strip()
            body.append(f'<h2 id="s{k}">{html.escape(h)}<a class="headerlink" href="#s{k}">&para;</a></h2>')
            toc.append(f'<li class="md-nav__item"><a href="#s{k}" class="md-nav__link">{html.escape(h)}</a></li>')
            text.append(h)
        else:
            t = re.sub(r"[*_`]|\[|\]\([^)]*\)", "", b)
            body.append(f'<p id="p{k}">{html.escape(t)}</p>')
            text.append(t)
    doc = f"""<!doctype html>
<html lang="en" class="no-js"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="description" content="Archived privacy policy of {domain} on {date}"><link rel="canonical" href="https://example.org/companies/{domain}/{date}/">
<link rel="icon" href="/assets/images/favicon.png"><meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.8.1">
<title>{html.escape(title)} - {domain} {date} - Policy KB</title>
<link rel="stylesheet" href="/assets/stylesheets/main.342714a4.min.css"><link rel="stylesheet" href="/assets/stylesheets/palette.06af60db.min.css">
<script>__md_scope=new URL("../../..",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{{try{{_.setItem(a.pathname+"."+e,JSON.stringify(_))}}catch(e){{}}}}</script>
</head><body dir="ltr" data-md-color-scheme="default" data-md-color-primary="indigo" data-md-color-accent="indigo">
<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off"><input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" autocomplete="off">
<label class="md-overlay" for="__drawer"></label><div data-md-component="skip"><a href="#policy" class="md-skip">Skip to content</a></div>
<header class="md-header md-header--shadow" data-md-component="header"><nav class="md-header__inner md-grid" aria-label="Header">
<a href="/" title="Policy KB" class="md-header__button md-logo" aria-label="Policy KB"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 8a3 3 0 0 0 3-3 3 3 0 0 0-3-3 3 3 0 0 0-3 3 3 3 0 0 0 3 3m0 3.54C9.64 9.35 6.5 8 3 8v11c3.5 0 6.64 1.35 9 3.54 2.36-2.19 5.5-3.54 9-3.54V8c-3.5 0-6.64 1.35-9 3.54Z"/></svg></a>
<div class="md-header__title" data-md-component="header-title"><div class="md-header__ellipsis"><div class="md-header__topic"><span class="md-ellipsis">Policy KB</span></div><div class="md-header__topic" data-md-component="header-topic"><span class="md-ellipsis">{html.escape(title)}</span></div></div></div>
<div class="md-search" data-md-component="search" role="dialog"><label class="md-search__overlay" for="__search"></label><div class="md-search__inner" role="search"><form class="md-search__form" name="search"><input type="text" class="md-search__input" name="query" aria-label="Search" placeholder="Search" autocapitalize="off" autocorrect="off" autocomplete="off" spellcheck="false" data-md-component="search-query" required></form></div></div>
</nav><nav class="md-tabs" aria-label="Tabs" data-md-component="tabs"><div class="md-grid"><ul class="md-tabs__list"><li class="md-tabs__item"><a href="/" class="md-tabs__link">Home</a></li><li class="md-tabs__item md-tabs__item--active"><a href="/companies/" class="md-tabs__link">Companies</a></li><li class="md-tabs__item"><a href="/topics/" class="md-tabs__link">Topics</a></li><li class="md-tabs__item"><a href="/timeline/" class="md-tabs__link">Timeline</a></li><li class="md-tabs__item"><a href="/compare/" class="md-tabs__link">Compare</a></li></ul></div></nav></header>
<div class="md-container" data-md-component="container"><main class="md-main" data-md-component="main"><div class="md-main__inner md-grid">
<div class="md-sidebar md-sidebar--primary" data-md-component="sidebar" data-md-type="navigation"><div class="md-sidebar__scrollwrap"><div class="md-sidebar__inner"><nav class="md-nav md-nav--primary" aria-label="Navigation" data-md-level="0"><ul class="md-nav__list" data-md-scrollfix>
{NAV}
</ul></nav></div></div></div>
<div class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" data-md-type="toc"><div class="md-sidebar__scrollwrap"><div class="md-sidebar__inner"><nav class="md-nav md-nav--secondary" aria-label="Table of contents"><label class="md-nav__title" for="__toc">Table of contents</label><ul class="md-nav__list" data-md-component="toc" data-md-scrollfix>
{''.join(toc)}
</ul></nav></div></div></div>
<div class="md-content" data-md-component="content">
<article class="md-content__inner md-typeset" data-pagefind-body id="policy">
<h1>{html.escape(title)}</h1>
<div class="pkb-card" data-pagefind-ignore><dl><dt>Company</dt><dd><a href="/companies/{domain}/" data-pagefind-filter="company">{domain}</a></dd><dt>Archived</dt><dd data-pagefind-meta="date">{date}</dd><dt>Year</dt><dd data-pagefind-filter="year">{date[:4]}</dd></dl></div>
{chr(10).join(body)}
</article></div></div></main>
<footer class="md-footer"><nav class="md-footer__inner md-grid" aria-label="Footer"><a href="../" class="md-footer__link md-footer__link--prev" rel="prev"><div class="md-footer__title"><span class="md-footer__direction">Previous</span><div class="md-ellipsis">{domain}</div></div></a></nav>
<div class="md-footer-meta md-typeset"><div class="md-footer-meta__inner md-grid"><div class="md-copyright">Made with <a href="https://squidfunk.github.io/mkdocs-material/" target="_blank" rel="noopener">Material for MkDocs</a></div></div></div></footer></div>
<div class="md-dialog" data-md-component="dialog"><div class="md-dialog__inner md-typeset"></div></div>
<script id="__config" type="application/json">{{"base": "../../..", "features": [], "search": "../../../assets/javascripts/workers/search.f8cc74c7.min.js", "translations": {{"clipboard.copied": "Copied to clipboard", "search.result.none": "No matching documents"}}}}</script>
<script src="/assets/javascripts/bundle.e71a0d61.min.js"></script>
</body></html>
"""
    return doc, "\n".join(text)


def convert(args: tuple[str, str]) -> str:
    src, site = args
    p = Path(src)
    raw = p.read_text(encoding="utf-8")
    head, _, rest = raw.partition("\n\n")
    m = HEADER_RE.search(head)
    domain, date = m.group(1), m.group(2)
    title_line, _, body = rest.partition("\n\n")
    title = title_line.lstrip("#").strip()
    blocks = [b.strip() for b in body.split("\n\n") if b.strip()]
    doc, text = page(domain, date, title, blocks)
    url = f"/companies/{domain}/{p.stem}/"
    out = Path(site) / url.strip("/") / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(doc, encoding="utf-8")
    return json.dumps({"url": url, "title": f"{title} ({domain}, {date})", "text": title + "\n" + text,
                       "filters": {"company": domain, "year": date[:4]}}, ensure_ascii=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("synth", type=Path)
    ap.add_argument("site", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    files = sorted(str(f) for f in (a.synth / "snapshots").glob("*/*.md"))
    if a.limit:
        files = files[: a.limit]
    a.site.mkdir(parents=True, exist_ok=True)
    with mp.Pool(a.jobs) as pool, open(a.site / "docs.jsonl", "w", encoding="utf-8") as out:
        for line in pool.imap(convert, [(f, str(a.site)) for f in files], chunksize=64):
            out.write(line + "\n")


if __name__ == "__main__":
    main()
