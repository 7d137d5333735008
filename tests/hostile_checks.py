"""Static checks that a built HTML page runs and loads nothing hostile (shared by the hostile tests)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SAFE_SCHEMES = {"http", "https", "mailto"}
# The one image that is not a chart: the site logo Material puts in the header (mkdocs.yml theme.logo),
# a file we write ourselves (generator/site_style.py), always at this path.
SITE_LOGO_RE = re.compile(r"^(?:\.\./)*/?assets/logo\.svg$")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset",
                  "ping", "codebase", "cite", "longdesc", "manifest"}
NEVER = {"iframe", "object", "embed", "frame", "frameset", "applet", "base", "math", "audio", "video", "source",
         "image", "template", "portal", "fencedframe"}
CSP = "Content-Security-Policy"


def scheme_of(url: str) -> str:
    """The scheme a browser would see: control characters and whitespace are ignored inside it."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url)
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


class PageAudit(HTMLParser):
    """Collects everything in a page that could run code or load something, with where it is."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.csp: list[str] = []
        self.csp_before_scripts = True
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "body":
            self.in_body = True
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag}> event handler {name}={value!r}")
            if name in URL_ATTRIBUTES and value and scheme_of(value) not in SAFE_SCHEMES | {""}:
                self.problems.append(f"<{tag} {name}={value!r}> uses scheme {scheme_of(value)!r}")
            if name == "style" and value and re.search(r"url\(|expression|@import", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
        if tag == "script":
            self.scripts.append(named)
            if not self.csp:
                self.csp_before_scripts = False
            kind = (named.get("type") or "").lower()
            if not named.get("src") and kind != "application/json":
                self.problems.append(f"inline <script {named}>")
            if named.get("src") and scheme_of(named["src"] or ""):
                self.problems.append(f"<script src={named['src']!r}> from another site")
        elif tag == "meta" and (named.get("http-equiv") or "").lower() == CSP.lower():
            self.csp.append(named.get("content") or "")
        elif tag == "meta" and named.get("http-equiv"):
            if named["http-equiv"].lower() not in ("x-ua-compatible",):
                self.problems.append(f"<meta http-equiv={named['http-equiv']!r}>")
        elif tag == "img" and (scheme_of(named.get("src") or "x:") or "kb-chart" not in (named.get("class") or "")) \
                and not SITE_LOGO_RE.match(named.get("src") or ""):  # Material's header logo (theme.logo)
            self.problems.append(f"<img {named}> that is not one of our own charts")
        elif tag in NEVER:
            self.problems.append(f"<{tag} {named}>")
        elif tag == "style" and self.in_body:
            self.problems.append("<style> in the body")
        elif tag == "link" and self.in_body:
            self.problems.append(f"<link {named}> in the body")
        elif tag == "link" and scheme_of(named.get("href") or "") and named.get("rel") not in ("canonical",):
            self.problems.append(f"<link {named}> loads from another site")
        elif tag == "form" and not any(c.startswith(("md-", "pkb-", "kb-")) for c in (named.get("class") or "").split()) \
                and named.get("name") not in ("search", "consent"):
            self.problems.append(f"<form {named}> that is not Material's or ours")
        elif tag == "form" and scheme_of(named.get("action") or ""):
            self.problems.append(f"<form {named}> submits to another site")


def audit_html(html: str) -> PageAudit:
    audit = PageAudit()
    audit.feed(html)
    audit.close()
    return audit


def article_of(html: str) -> str:
    match = re.search(r'<article class="md-content__inner md-typeset">(.*)</article>', html, re.S)
    assert match, "page has no article"
    return match.group(1)
