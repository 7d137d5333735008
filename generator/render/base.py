"""Render stage, the tools every page family uses: `Page`, the Jinja environment and `render`.

Every `{{ value }}` in a template is escaped for Markdown *and* HTML by default
(`md_escape`), so text from a snapshot (titles, company names) can never become markup
or a template: only values we mark as `Markup` (pre-sanitized HTML, our own link
targets) go through as they are.
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.analyse.markup import as_html_block, md_escape
from generator.publish import rawhtml
from generator.render.urls import href, link
from generator.util.paths import TEMPLATES_DIR


@dataclass(frozen=True)
class Page:
    """A generated docs file: `path` relative to the docs folder, YAML front matter and Markdown body."""

    path: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return Markup(md_escape(value))


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def thousands(value: int) -> str:
    return f"{value:,}"


def make_environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=False,  # _finalize escapes for Markdown and HTML at once
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(link=link, long_date=long_date, thousands=thousands, href=_href_from_page,
                       html_region=html_region)
    return env


def render(env: jinja2.Environment, template: str, path: str, meta: dict[str, Any], **context: Any) -> Page:
    """`path`: the page's docs path; templates see it as `page_path` (the `href` filter resolves links from it)."""
    body = env.get_template(template).render(page_path=path, **context)
    return Page(path=path, meta=meta, body=body)


def html_region(html: str) -> Markup:
    """Finished HTML from a template -> a region Python-Markdown passes through unparsed (publish/rawhtml.py)."""
    # + "\n": trim_blocks eats the newline after `{% endfilter %}`, and the region needs its line to itself.
    return Markup(rawhtml.region(as_html_block(str(html))) + "\n")


def html_title(text: str) -> str:
    """A page title for front matter: Material inserts `page.meta.title` into HTML unescaped."""
    return html.escape(" ".join(text.split()), quote=True)


@jinja2.pass_context
def _href_from_page(context: jinja2.runtime.Context, target: str) -> Markup:
    """The `href` filter: a link written as in Markdown, relative to the page's docs file ("../index.md#id")."""
    page = context["page_path"]
    path, _, anchor = str(target).partition("#")
    return href(page, posixpath.normpath(posixpath.join(posixpath.dirname(page), path)), anchor)
