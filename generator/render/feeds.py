"""Atom feeds (RFC 4287) of new snapshots and policy changes, built with ElementTree.

Links are relative to the feed file (resolved by readers against its own URL), so the
feeds work wherever the site is hosted; ids are stable URNs derived from the content.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

ATOM = "http://www.w3.org/2005/Atom"
ID_PREFIX = "urn:policykb:"


@dataclass(frozen=True)
class FeedEntry:
    id: str  # appended to ID_PREFIX
    title: str
    updated: date
    link: str  # relative to the feed's own URL
    summary: str


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(feed_id: str, title: str, self_link: str, alternate_link: str,
              entries: Sequence[FeedEntry], limit: int = 50) -> bytes:
    """The newest `limit` entries, newest first, as an Atom document."""
    ET.register_namespace("", ATOM)
    newest = sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)[:limit]
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = ID_PREFIX + feed_id
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(newest[0].updated) if newest else "1970-01-01T00:00:00Z"
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_link, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=alternate_link, type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Privacy Policy Archive"
    for entry in newest:
        element = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(element, f"{{{ATOM}}}id").text = ID_PREFIX + entry.id
        ET.SubElement(element, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(element, f"{{{ATOM}}}updated").text = _timestamp(entry.updated)
        ET.SubElement(element, f"{{{ATOM}}}link", rel="alternate", href=entry.link, type="text/html")
        ET.SubElement(element, f"{{{ATOM}}}summary", type="text").text = entry.summary
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
