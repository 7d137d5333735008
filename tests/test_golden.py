"""Generated pages for the guess.com seed, compared byte for byte with files in tests/golden/.

After an intended change to the pages, regenerate with `UPDATE_GOLDEN=1 make test` and
review the diff of tests/golden/ before committing it.
"""

import os

import pytest

from generator.pipeline import generate

from .support import CONTENT, FIXTURES

GOLDEN = FIXTURES.parent / "golden"
PAGES = ["companies/guess.com/2003-02-07.md", "companies/guess.com/index.md"]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    generate(CONTENT, folder)
    return folder


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(docs, page):
    generated = (docs / page).read_text(encoding="utf-8")
    golden = GOLDEN / page
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(generated, encoding="utf-8")
    assert golden.is_file(), f"missing golden file {golden}; run with UPDATE_GOLDEN=1 to create it"
    assert generated == golden.read_text(encoding="utf-8")
