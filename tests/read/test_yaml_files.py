"""The editable YAML files: every typical mistake is a ConfigError starting `file:line: `, never a traceback."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.analyse.facts import load_vocabulary
from generator.analyse.topics import CATEGORIES, load_taxonomy
from generator.cli import main
from generator.read import yaml_files
from generator.read.site_data import load_companies, load_site_style
from generator.read.yaml_files import ConfigError, read_schema
from generator.render.history import load_milestones

from ..support import CONTENT, REPO

# file name -> the build's own loader for it, given the content folder
LOADERS: dict[str, Callable[[Path], Any]] = {
    "companies.yml": load_companies,
    "site.yml": load_site_style,
    "milestones.yml": load_milestones,
    "topics.yml": lambda content: load_taxonomy(content / "topics.yml"),
    "facts.yml": lambda content: load_vocabulary(content / "facts.yml"),
}

TOPIC = "topics:\n  - id: cookies\n    title: Cookies\n    category: Other\n    cues: {strong: [cookie*]}\n"
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(folder: Path, name: str, text: str | bytes) -> tuple[Path, str]:
    path = write(folder, name, text)
    with pytest.raises(ConfigError) as error:
        LOADERS[name](folder)
    return path, str(error.value)


MISTAKES = [
    # companies.yml
    ("companies.yml", "guess.com: {name: GUESS?, sector: Fashion}\n", 1,
     "expected ',' or '}', but got '?' (quote text that contains any of : # ? , [ ] { })"),
    ("companies.yml", "a.com:\n\tname: A\n", 2, "found character '\\t' that cannot start any token (indent with spaces"),
    ("companies.yml", "a.com: {name: A}\nb.com: {nmae: B}\n", 2, "b.com: unknown key 'nmae' (did you mean 'name'?)"),
    ("companies.yml", "a.com: {name: 42}\n", 1, "a.com.name: expected a string, got 42"),
    ("companies.yml", "a.com: A\nb.com: B\na.com: C\n", 3, "duplicate key 'a.com' (first on line 1)"),
    ("companies.yml", "- a.com\n- b.com\n", 1, "expected a mapping, got a list"),
    ("companies.yml", "a.com:\n", 1, "a.com: expected a string or a mapping, got nothing"),
    ("companies.yml", f"a.com: {{name: {'x' * 201}}}\n", 1, "a.com.name: too long: 201 characters, at most 200"),
    ("companies.yml", b"a.com: A\nb.com: \xff\n", 2, "not UTF-8 text (byte 0xff)"),
    ("companies.yml", "a.com: A\nb.com: \x07\n", 2, "character '\\x07' is not allowed in YAML"),
    ("companies.yml", "a.com: !!python/object/apply:os.system [ls]\n", 1, "could not determine a constructor"),
    ("companies.yml", "a: &a [*a]\n", 1, "an alias refers to a value that contains it"),
    ("companies.yml", "a: " + "[" * 100, 1, "nested more than 64 levels deep"),
    # topics.yml
    ("topics.yml", TOPIC + "    cuse: {strong: [tracking]}\n", 6, "topics[0]: unknown key 'cuse' (did you mean 'cues'?)"),
    ("topics.yml", TOPIC + "    cues: {strong: [tracking]}\n", 6, "topics[0]: duplicate key 'cues' (first on line 5)"),
    ("topics.yml", TOPIC.replace("strong:", "strnog:"), 5, "topics[0].cues: unknown key 'strnog' (did you mean 'strong'?)"),
    ("topics.yml", TOPIC + TOPIC.replace("topics:\n", ""), 6, "topics[1].id: duplicate topic id 'cookies' (first on line 2)"),
    ("topics.yml", TOPIC.replace("Other", "Data Retension"), 4,
     "topics[0].category: 'Data Retension' is not allowed (did you mean 'Data Retention'?)"),
    ("topics.yml", TOPIC.replace("id: cookies", "id: Cookies Policy"), 2, "topics[0].id: 'Cookies Policy' is not a slug"),
    ("topics.yml", TOPIC.replace("title: Cookies", "title: 42"), 3, "topics[0].title: expected a string, got 42"),
    ("topics.yml", TOPIC.replace("title: Cookies", "title: " + "C" * 121), 3, "topics[0].title: too long: 121 characters"),
    ("topics.yml", "settings: {threshold: high}\n" + TOPIC, 1, "settings.threshold: expected a number, got 'high'"),
    ("topics.yml", TOPIC.replace("[cookie*]", "[cookie*, '...']"), 5, "topics[0].cues.strong[1]: empty cue phrase: '...'"),
    ("topics.yml", "settings:\n  suppress: [[cookies, tracking]]\n" + TOPIC, 2,
     "settings.suppress[0][1]: no topic has the id 'tracking'"),
    ("topics.yml", "topics:\n  - [cookies, Other]\n", 2, "topics[0]: expected a mapping, got a list"),
    ("topics.yml", "", 1, "expected a mapping or a list, got nothing"),
    ("topics.yml", "# only a comment\n", 1, "expected a mapping or a list, got nothing"),
    ("topics.yml", "settings: {}\n", 1, "needs 'topics'"),
    # facts.yml
    ("facts.yml", "data_types:\n  - {id: email, label: Email, frases: [email]}\n", 2,
     "data_types[0]: unknown key 'frases' (did you mean 'phrases'?)"),
    ("facts.yml", "third_parties:\n  - {id: ga, aliases: [google analytics]}\n  - {id: ga, aliases: [urchin]}\n", 3,
     "third_parties[1].id: duplicate id 'ga' (first on line 2)"),
    ("facts.yml", "regulations:\n  - {id: gdpr, aliases: []}\n", 2, "regulations[0]: 'gdpr' has no phrases"),
    ("facts.yml", "data_types:\n  - {id: email, phrases: {email: 1}}\n", 2,
     "data_types[0].phrases: expected a string or a list, got a mapping"),
    ("facts.yml", "data_types: {id: email}\n", 1, "data_types: expected a list, got a mapping"),
    # milestones.yml
    ("milestones.yml", "- date: 2018-05-25\n  title: GDPR\n- date: 2001-13-45\n  title: Nothing\n", 3,
     "impossible date '2001-13-45' (month must be in 1..12)"),
    ("milestones.yml", "- date: '2001-02-30'\n  title: Nothing\n", 1, "[0].date: '2001-02-30' is not a date written YYYY-MM-DD"),
    ("milestones.yml", "- date: 2018-05-25\n  title: GDPR\n- title: no date\n", 3, "[1]: needs 'date'"),
    ("milestones.yml", "- date: 2018-05-25\n  titel: GDPR\n", 2, "[0]: unknown key 'titel' (did you mean 'title'?)"),
    ("milestones.yml", "- date: 2018-05-25\n  title: GDPR\n  url: javascript:alert(1)\n", 3,
     "[0].url: 'javascript:alert(1)' is not an http(s) address"),
    ("milestones.yml", f"- date: 2018-05-25\n  title: {'G' * 201}\n", 2, "[0].title: too long: 201 characters"),
    ("milestones.yml", "date: 2018-05-25\ntitle: GDPR\n", 1, "unknown key 'date' (known: milestones)"),
    # site.yml
    ("site.yml", "colour:\n  primary: '#3f51b5'\n", 1, "unknown key 'colour' (did you mean 'colours'?)"),
    ("site.yml", "colours: [primary]\n", 1, "colours: expected a mapping, got a list"),
    ("site.yml", "colours:\n  primary: '#3f51b5'\n  primary: '#000000'\n", 3, "colours: duplicate key 'primary'"),
]


@pytest.mark.parametrize(("name", "text", "line", "expected"), MISTAKES)
def test_typical_mistakes_name_the_file_line_and_place(tmp_path, name, text, line, expected):
    path, message = error_of(tmp_path / "content", name, text)
    assert message.startswith(f"{path}:{line}: "), message
    assert expected in message, message


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_an_alias_bomb_is_refused_quickly(tmp_path, name):
    started = time.perf_counter()
    path, message = error_of(tmp_path / "content", name, ALIAS_BOMB)
    assert time.perf_counter() - started < 2
    assert message.startswith(f"{path}:") and "aliases expand this file to more than 1,000,000 values" in message


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_files, "MAX_FILE_BYTES", 100)
    path, message = error_of(tmp_path / "content", "companies.yml", "a.com: A\n" * 20)
    assert message == f"{path}:1: 180 bytes; an editable file may have at most 100"


@pytest.mark.parametrize(("name", "nothing"), [("companies.yml", {}), ("milestones.yml", []),
                                               ("site.yml", load_site_style(REPO / "no-such-folder").__class__())])
def test_an_empty_file_means_nothing_chosen(tmp_path, name, nothing):
    write(tmp_path, name, "# nothing yet\n")
    assert LOADERS[name](tmp_path) == nothing


def test_an_empty_facts_file_is_an_empty_vocabulary(tmp_path):
    vocabulary = LOADERS["facts.yml"](write(tmp_path, "facts.yml", "").parent)
    assert (vocabulary.data_types, vocabulary.third_parties, vocabulary.regulations) == ((), (), ())


def test_quoted_and_unquoted_dates_are_the_same_milestone(tmp_path):
    write(tmp_path, "milestones.yml", "- {date: 2018-05-25, title: GDPR}\n- {date: '2018-05-25', title: GDPR}\n")
    first, second = load_milestones(tmp_path)
    assert first == second


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_the_project_files_are_valid(name):
    LOADERS[name](CONTENT)


@pytest.mark.parametrize("name", ["companies", "facts", "milestones", "site", "topics"])
def test_schemas_are_valid_json_schema(name):
    jsonschema.Draft202012Validator.check_schema(read_schema(name))


def test_the_topic_schema_knows_the_opp115_categories():
    assert tuple(read_schema("topics")["$defs"]["topic"]["properties"]["category"]["enum"]) == CATEGORIES


# --------------------------------------------------------------------------- the README's examples

def _readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("### Editing companies, topics and milestones")[1].split("\n### ")[0]


def test_the_readme_yaml_examples_are_valid_companies_files(tmp_path):
    blocks = re.findall(r"```yaml\n(.*?)```", _readme_section(), re.S)
    assert blocks
    for block in blocks:
        write(tmp_path, "companies.yml", "\n".join(line.strip() for line in block.splitlines()) + "\n")
        assert load_companies(tmp_path)["guess.com"].name == "GUESS?"


def test_the_readme_site_example_is_valid(tmp_path):
    colours = re.search(r"`(colours: \{.*?\})`", _readme_section()).group(1)
    write(tmp_path, "site.yml", colours + "\n")
    assert load_site_style(tmp_path).primary == "#3f51b5"


def test_the_readme_error_examples_are_real(tmp_path):
    """Each `error: content/<file>:<line>: ...` line in the README is what that mistake really prints."""
    content = tmp_path / "content"
    mistakes = {
        "companies.yml": "a.com: A\nb.com: B\nguess.com: {name: GUESS?, sector: Fashion}\n",
        "topics.yml": (CONTENT / "topics.yml").read_text(encoding="utf-8").replace("    cues:", "    cuse:", 1),
        "milestones.yml": (CONTENT / "milestones.yml").read_text(encoding="utf-8").replace("2000-04-21", "2001-13-45"),
    }
    shown = re.findall(r"^error: content/(\S+?):(.*)$", _readme_section(), re.M)
    assert sorted(name for name, _ in shown) == sorted(mistakes)
    for name, rest in shown:
        path, message = error_of(content, name, mistakes[name])
        assert message == f"{path}:{rest}"


# --------------------------------------------------------------------------- never a traceback

def _load_text(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), name, text)
        try:
            LOADERS[name](Path(folder))
        except ConfigError as error:
            assert str(error).startswith(f"{Path(folder) / name}:")


YAMLISH = st.lists(st.sampled_from(list("ab1-:#?,[]{}&*!|>'\"%@` \n\t.") + ["\n  ", "\n- ", "true", "~"]),
                   max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(LOADERS)), text=st.text(max_size=200) | YAMLISH)
def test_arbitrary_text_is_loaded_or_refused_with_a_config_error(name, text):
    _load_text(name, text)


# YAML data shaped a little like the real files (their keys, odd values), to get past the parser
KEYS = st.sampled_from(["topics", "settings", "id", "title", "category", "cues", "strong", "weak", "weighted",
                        "headings", "anchors", "except", "threshold", "relative_cutoff", "suppress", "Other",
                        "data_types", "third_parties", "regulations", "phrases", "aliases", "exact", "label",
                        "name", "kind", "sector", "milestones", "date", "detail", "url", "colours", "primary",
                        "accent", "logo", "a.com", "..."])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.dates() | KEYS | st.text(max_size=20) \
    | st.sampled_from(["#3f51b5", "#ffffff", "logo.svg", "../x.svg", "/x.svg", "\x00.svg", "a" * 300 + ".svg",
                       "https://example.com", "2018-05-25", "Data Retention", "*", "... ..."])
DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(LOADERS)), data=DATA)
def test_arbitrary_data_is_loaded_or_refused_with_a_config_error(name, data):
    _load_text(name, yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize(("name", "text", "line", "expected"), {m[0]: m for m in reversed(MISTAKES)}.values())
def test_check_refuses_what_the_build_refuses(seed_content, capsys, name, text, line, expected):
    """`policykb check` reads every editable file with the build's loaders (milestones.yml too)."""
    path = write(seed_content, name, text)
    assert main(["check", "--content", str(seed_content)]) == 2
    printed = capsys.readouterr().err
    assert printed.startswith(f"error: {path}:{line}: ") and expected in printed
