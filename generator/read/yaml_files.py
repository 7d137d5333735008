"""The editable YAML files (companies.yml, topics.yml, facts.yml, milestones.yml, site.yml): one loader.

`load_yaml_file(path, schema)` reads a file no bigger than MAX_FILE_BYTES, parses it with a
SafeLoader that remembers the line of every value and refuses duplicate keys, alias bombs and
absurd nesting, then validates it against `schemas/<schema>.schema.json` (JSON Schema 2020-12).
Every problem is a ConfigError reading `file:line: where: message`, where `where` is the
value's place in the file (`topics[3].cues`), so an editor can go straight to it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from yaml.constructor import ConstructorError

MAX_FILE_BYTES = 8 * 1024 * 1024  # companies.yml for 20,000 companies is ~1.5 MB
MAX_VALUES = 1_000_000  # values once aliases are expanded: a "billion laughs" stops here, unexpanded
MAX_DEPTH = 64  # nesting, also after expanding aliases; the real files nest 4 deep
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

Where = tuple[str | int, ...]  # keys and list indices from the top of the file


class ConfigError(ValueError):
    """An editable YAML file that cannot be used; the message names the file and line."""


def where_text(where: Where) -> str:
    """`topics[3].cues` for ("topics", 3, "cues")."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class YamlFile:
    """A loaded, schema-valid file: its data and the line of every value in it."""

    path: Path
    data: Any  # JSON-like: dicts with string keys, lists, strings (dates too), numbers, booleans, None
    lines: Mapping[Where, int]  # 1-based line of each value (of its key, for mapping entries)

    def line(self, where: Where) -> int:
        """The line of `where`, else of its nearest enclosing value that has one."""
        while where not in self.lines and where:
            where = where[:-1]
        return self.lines.get(where, 1)

    def error(self, where: Where, message: str, at: Where | None = None) -> ConfigError:
        """`file:line: where: message`, with the line of `at` (default: of `where`)."""
        return located(self.path, self.line(where if at is None else at), where, message)


def located(path: Path, line: int, where: Where, message: str) -> ConfigError:
    """The one shape of every message: `file:line: where: message` (no `where: ` at the top of the file)."""
    return ConfigError(f"{path}:{line}: " + (f"{where_text(where)}: " if where else "") + message)


class _Loader(yaml.SafeLoader):
    """SafeLoader that bounds nesting and turns impossible values (2001-13-45) into marked errors."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:  # the composer recurses: stop long before Python's own limit
                raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as error:  # raised unmarked by date(), int(), base64
            what = "impossible date" if node.tag == TIMESTAMP_TAG else "cannot read"
            raise ConstructorError(None, None, f"{what} {node.value!r} ({error})", node.start_mark) from None


def _marked(path: Path, error: yaml.MarkedYAMLError) -> ConfigError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "not valid YAML"
    if "'\\t'" in problem:
        problem += " (indent with spaces, not tabs)"
    elif isinstance(error, yaml.parser.ParserError):  # most often unquoted text such as GUESS? or a: b
        problem += " (quote text that contains any of : # ? , [ ] { })"
    return located(path, mark.line + 1 if mark else 1, (), problem)


def _index(node: yaml.Node, where: Where, lines: dict[Where, int], seen: dict[int, tuple[int, int] | None],
           path: Path) -> tuple[int, int]:
    """Record the lines under `node` and refuse duplicate keys; returns its (values, depth) with aliases expanded.

    Each node is visited once (an alias refers to a node already seen), so the cost follows the
    file's length, not the expansion an alias bomb asks for."""
    if id(node) in seen:
        counted = seen[id(node)]
        if counted is None:
            raise located(path, node.start_mark.line + 1, where, "an alias refers to a value that contains it")
        return counted
    seen[id(node)] = None
    lines.setdefault(where, node.start_mark.line + 1)
    values, depth = 1, 0
    if isinstance(node, yaml.SequenceNode):
        children = [(where + (number,), child) for number, child in enumerate(node.value)]
    elif isinstance(node, yaml.MappingNode):
        children, first_line = [], {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None and name in first_line and key.tag != "tag:yaml.org,2002:merge":
                raise located(path, key.start_mark.line + 1, where,
                              f"duplicate key {name!r} (first on line {first_line[name]})")
            if name is not None:
                first_line[name] = key.start_mark.line + 1
                lines.setdefault(where + (name,), key.start_mark.line + 1)
            children.append((where + (name,) if name is not None else where, value))
    else:
        children = []
    for child_where, child in children:
        child_values, child_depth = _index(child, child_where, lines, seen, path)
        values, depth = values + child_values, max(depth, child_depth)
        if values > MAX_VALUES:
            raise located(path, child.start_mark.line + 1, child_where,
                          f"aliases expand this file to more than {MAX_VALUES:,} values; write the values out")
    if depth + 1 > MAX_DEPTH:
        raise located(path, node.start_mark.line + 1, where, f"aliases nest values more than {MAX_DEPTH} levels deep")
    seen[id(node)] = (values, depth + 1)
    return values, depth + 1


def _json_view(value: Any) -> Any:
    """The data as JSON: dates as YYYY-MM-DD strings, every key a string.

    The schema validates exactly what the loaders get, so a date where a name is wanted is the
    text of the date, never a date object the schema did not see."""
    if isinstance(value, dict):
        return {key if isinstance(key, str) else str(key): _json_view(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_view(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _parse(path: Path, text: str) -> YamlFile:
    try:
        loader = _Loader(text)  # the reader checks for control characters right here
    except yaml.reader.ReaderError as error:
        line = text[:error.position].count("\n") + 1
        raise located(path, line, (), f"character {chr(error.character)!r} is not allowed in YAML") from None
    try:
        node = loader.get_single_node()
        lines: dict[Where, int] = {}
        if node is None:
            return YamlFile(path, None, lines)
        _index(node, (), lines, {}, path)
        return YamlFile(path, _json_view(loader.construct_document(node)), lines)
    except yaml.MarkedYAMLError as error:
        raise _marked(path, error) from None
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise located(path, 1, (), f"{size:,} bytes; an editable file may have at most {MAX_FILE_BYTES:,}")
        data = path.read_bytes()[:MAX_FILE_BYTES + 1]  # the file may have grown since stat()
    except OSError as error:
        raise located(path, 1, (), f"cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise located(path, 1, (), f"more than {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise located(path, line, (), f"not UTF-8 text (byte {data[error.start]:#04x}); save it as UTF-8") from None


def read_schema(name: str) -> dict[str, Any]:
    """schemas/<name>.schema.json, shipped inside this package."""
    text = resources.files(__package__).joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


# --------------------------------------------------------------------------- schema errors as sentences

_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "nothing"}


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(known)})" if len(known) <= 12 else ""


def _sentence(error: jsonschema.ValidationError) -> tuple[Where, str, Where]:
    """Where the error is, what to tell the editor about it, and the place whose line to give."""
    where: Where = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        key = next(key for key in error.instance if key not in known)
        return where, f"unknown key {key!r}{_suggest(key, known)}", where + (key,)
    return where, _message(error), where


def _message(error: jsonschema.ValidationError) -> str:
    keyword, expected, value, schema = error.validator, error.validator_value, error.instance, error.schema
    if isinstance(schema, dict) and "errorMessage" in schema:  # the schema's own words for its rule
        return schema["errorMessage"].format(value=_shown(value))
    if keyword == "type":
        wanted = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
        return f"expected {' or '.join(_TYPE_WORDS[t] for t in wanted)}, got {_shown(value)}"
    if keyword == "required":
        return f"needs {next(key for key in expected if key not in value)!r}"
    if keyword == "enum":
        return f"{_shown(value)} is not allowed{_suggest(str(value), [str(v) for v in expected])}"
    if keyword in ("maxLength", "maxItems", "maxProperties"):
        unit = "characters" if keyword == "maxLength" else "entries"
        return f"too long: {len(value):,} {unit}, at most {expected:,}"
    if keyword in ("minLength", "minItems", "minProperties"):
        return "must not be empty" if expected == 1 else f"needs at least {expected}"
    if keyword in ("minimum", "maximum"):
        return f"{_shown(value)} is out of range ({keyword} {expected})"
    return error.message


def _validate(document: YamlFile, schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    # best_match descends into anyOf/oneOf; of what remains, report the first in the file
    errors = [jsonschema.exceptions.best_match([error]) for error in validator.iter_errors(document.data)]
    unknown_at = {tuple(error.absolute_path) for error in errors if error.validator == "additionalProperties"}
    # a key missing beside an unknown one is most likely that key misspelt: report the misspelling
    errors = [error for error in errors if error.validator != "required" or tuple(error.absolute_path) not in unknown_at]
    placed = [_sentence(error) for error in errors]
    if placed:
        where, message, at = min(placed, key=lambda item: (document.line(item[2]), -len(item[2])))
        raise document.error(where, message, at)


def load_yaml_file(path: Path, schema: str) -> YamlFile:
    """`path` parsed and validated against schemas/<schema>.schema.json; ConfigError on any problem."""
    document = _parse(path, _read_text(path))
    _validate(document, read_schema(schema))
    return document
