"""Read YAML from people and machines without trusting it.

Built on the event stream of PyYAML's safe parser, so nothing is constructed before it is checked:
files over a size limit, text that is not UTF-8, anchors and aliases (the "billion laughs" bomb),
nesting deeper than a limit, duplicate keys and non-scalar keys are refused with a `ParseError`
that names the file, line and column. Every value's position is kept for later error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from opencsms.engine.errors import ParseError, Problem

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 20_000_000

Path = tuple[str | int, ...]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
_MAYBE_TYPED = frozenset("0123456789+-.~<=nNtTfFyYoO")  # first characters of null/bool/int/float/merge
_SCALAR_TAGS: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:null": lambda v: None,
    "tag:yaml.org,2002:bool": lambda v: v.lower() in ("true", "yes", "on"),
    "tag:yaml.org,2002:int": lambda v: int(v.replace("_", ""), 0),
    "tag:yaml.org,2002:float": float,
}


@dataclass
class Document:
    """Plain data (dicts, lists, scalars) and the (line, column) of every value, by path."""

    data: Any
    file: str
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that has one ((0, 0) for data without any)."""
        if not self.positions:
            return (0, 0)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (0, 0))

    def problem(self, path: Path, rule: str, message: str, at_key: bool = False) -> Problem:
        line, column = self.key_positions[path] if at_key and path in self.key_positions else self.where(path)
        return Problem(rule=rule, message=message, file=self.file, line=line, column=column)


def decode(raw: bytes, file: str, max_bytes: int = MAX_BYTES) -> str:
    """Bytes to text, refusing oversized input and anything but UTF-8 (with or without BOM)."""
    if len(raw) > max_bytes:
        raise ParseError([Problem("file-too-large", f"{len(raw):,} bytes; the limit is {max_bytes:,}", file)])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise ParseError([Problem("encoding", "the file is UTF-16 or binary; save it as UTF-8", file)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(
            [Problem("encoding", f"not valid UTF-8 at byte {exc.start}; save the file as UTF-8", file)]
        ) from None


def load(raw: bytes, file: str = "<input>", max_bytes: int = MAX_BYTES, every_value: bool = True) -> Document:
    """Parse one YAML document into plain data with positions, or raise `ParseError`.

    With `every_value=False` only mappings and sequences keep their position (a third of the memory);
    read again with positions for every value when there is a problem to point at.
    """
    text = decode(raw, file, max_bytes)
    builder = _Builder(file, every_value)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ParseError([Problem("yaml-syntax", str(exc.problem or exc), file, line, col)]) from None
    except yaml.YAMLError as exc:
        raise ParseError([Problem("yaml-syntax", str(exc), file)]) from None
    return Document(builder.result, file, builder.positions, builder.key_positions)


_COLLECTION_TAGS = {True: "tag:yaml.org,2002:map", False: "tag:yaml.org,2002:seq"}  # by "is a mapping"


class _Builder:
    """Turns parser events into plain data, one event at a time, with no recursion."""

    def __init__(self, file: str, every_value: bool) -> None:
        self.file = file
        self.every_value = every_value
        self.stack: list[tuple[Any, Path, list[Any]]] = []  # (container, path, pending mapping key)
        self.result: Any = None
        self.documents = 0
        self.nodes = 0
        self.positions: dict[Path, tuple[int, int]] = {}
        self.key_positions: dict[Path, tuple[int, int]] = {}

    def fail(self, event: Any, rule: str, message: str) -> ParseError:
        mark = event.start_mark
        return ParseError([Problem(rule, message, self.file, mark.line + 1, mark.column + 1)])

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(event, "multiple-documents", "one YAML document per file, please")
        elif isinstance(event, yaml.AliasEvent):
            raise self.fail(
                event, "yaml-alias", "anchors and aliases are not accepted (they allow YAML bombs)"
            )
        elif isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._node(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            container, _, _ = self.stack.pop()
            if not self.stack:
                self.result = container

    def _node(self, event: Any) -> None:
        if getattr(event, "anchor", None):
            raise self.fail(
                event, "yaml-alias", "anchors and aliases are not accepted (they allow YAML bombs)"
            )
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(event, "too-many-nodes", f"more than {MAX_NODES:,} YAML nodes")
        if isinstance(event, yaml.ScalarEvent):
            self._place(event, self._scalar(event))
            return
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(event, "too-deep", f"nesting deeper than {MAX_DEPTH} levels")
        mapping = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (None, "!", _COLLECTION_TAGS[mapping]):
            raise self.fail(event, "yaml-tag", f"unsupported tag {event.tag}")  # e.g. !!python/tuple
        container: Any = {} if mapping else []
        path = self._place(event, container)
        self.stack.append((container, path, []))

    def _scalar(self, event: Any) -> Any:
        value = event.value
        if event.implicit[0] and value and value[0] not in _MAYBE_TYPED:
            return value  # a plain scalar no YAML 1.1 type can start with: a string
        tag = event.tag
        if tag in (None, "!"):
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        convert = _SCALAR_TAGS.get(tag)
        if convert is None:
            if tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
                raise self.fail(event, "yaml-tag", f"unsupported tag {tag}")
            return event.value
        try:
            return convert(event.value)
        except ValueError:
            return event.value

    def _place(self, event: Any, value: Any) -> Path:
        mark = event.start_mark
        where = (mark.line + 1, mark.column + 1)
        if not self.stack:
            self.result = value
            self.positions[()] = where
            return ()
        container, path, pending = self.stack[-1]
        if isinstance(container, list):
            child: Path = (*path, len(container))
            container.append(value)
        elif not pending:
            if not isinstance(value, str | int | float | bool) or value is None:
                raise self.fail(event, "yaml-key", "mapping keys must be plain scalars")
            key = str(value)
            if key in container:
                raise self.fail(event, "duplicate-key", f"key {key!r} appears twice in this mapping")
            pending.append(key)
            if self.every_value:
                self.key_positions[(*path, key)] = where
            return (*path, key)
        else:
            key = pending.pop()
            child = (*path, key)
            container[key] = value
        if self.every_value or isinstance(value, dict | list):
            self.positions[child] = where
        return child
