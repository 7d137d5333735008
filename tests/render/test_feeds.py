import xml.etree.ElementTree as ET
from datetime import date

from generator.render.feeds import ATOM, FeedEntry, atom_feed


def test_feed_is_valid_atom_newest_first_and_escapes_text():
    entries = [
        FeedEntry("a/2001", "Old", date(2001, 1, 1), "../a/2001/", "first capture"),
        FeedEntry("a/2005", "New <script>alert(1)</script> & co", date(2005, 6, 7), "../a/2005/", "changed"),
    ]
    xml = atom_feed("feed:all", "All changes", "feed.xml", "./", entries)
    assert xml == atom_feed("feed:all", "All changes", "feed.xml", "./", list(reversed(entries)))
    assert b"<script>" not in xml
    root = ET.fromstring(xml)
    ns = {"a": ATOM}
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.find("a:updated", ns).text == "2005-06-07T00:00:00Z"
    titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
    assert titles == ["New <script>alert(1)</script> & co", "Old"]
    assert root.find("a:entry/a:id", ns).text == "urn:policykb:a/2005"


def test_feed_limit_and_empty_feed():
    entries = [FeedEntry(f"x/{i}", str(i), date(2000 + i, 1, 1), f"{i}/", "") for i in range(10)]
    root = ET.fromstring(atom_feed("f", "t", "feed.xml", "./", entries, limit=3))
    assert len(root.findall(f"{{{ATOM}}}entry")) == 3
    empty = ET.fromstring(atom_feed("f", "t", "feed.xml", "./", []))
    assert empty.findall(f"{{{ATOM}}}entry") == []
