"""Checking a call against ``rules``: types, required fields, limits and Telegram HTML."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any

from tests.botapi.rules import ACTIONS, HTML_ENTITIES, HTML_TAGS, OBJECTS, UNIONS, Field


class ApiError(Exception):
    """A call Telegram answers with ``ok: false``."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart/form-data body."""

    filename: str
    content_type: str
    data: bytes


class _Mismatch(Exception):
    """The value is not of this type; a union may still try its next type."""


_INTEGER = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def check_params(
    rules: dict[str, Field], params: dict[str, Any], *, allow_unknown: bool = False
) -> dict[str, Any]:
    """The parameters converted to their types (form fields arrive as strings), or ApiError."""
    return _check_object(rules, params, "", allow_unknown=allow_unknown, top=True)


def _check_object(
    rules: dict[str, Field], value: dict[str, Any], path: str, *, allow_unknown: bool, top: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in value.items():
        where = f"{path}.{name}" if path else name
        field = rules.get(name)
        if field is None:
            # Telegram silently ignores unknown fields; a misspelt one is a bug, so refuse it.
            if allow_unknown:
                out[name] = raw
                continue
            raise bad(f'unknown {"parameter" if top else "field"} "{where}"')
        if raw is None:
            continue  # JSON null is the same as leaving the field out
        if top and raw == "" and field.required:
            raise bad(field.missing or f'parameter "{where}" is required')
        converted = _convert(raw, field.types, where, allow_unknown)
        _check_limits(field, converted, where)
        out[name] = converted
    for name, field in rules.items():
        where = f"{path}.{name}" if path else name
        absent = name not in out
        if (field.required and absent) or (
            field.required_unless and absent and field.required_unless not in out
        ):
            raise bad(field.missing or f'parameter "{where}" is required')
    return out


def _convert(value: Any, types: tuple[str, ...], where: str, allow_unknown: bool) -> Any:
    objects = [t for t in types if t not in _SCALARS and not t.startswith("Array of ")]
    if len(objects) > 1 and isinstance(value, dict | str):
        # Several object types (reply_markup): pick the one whose required fields are there.
        decoded = _decode_json(value, dict)
        if decoded is not None:
            fitting = [t for t in objects if _required(t) <= decoded.keys()]
            if not fitting:
                raise bad(f"can't parse {where} JSON object")
            return _convert_one(decoded, fitting[0], where, allow_unknown)
    for type_ in types:
        try:
            return _convert_one(value, type_, where, allow_unknown)
        except _Mismatch:
            continue
    raise bad(f'field "{where}" must be of type {" or ".join(types)}')


_SCALARS = {"Integer", "Float", "Boolean", "String", "InputFile"}


def _convert_one(value: Any, type_: str, where: str, allow_unknown: bool) -> Any:
    if type_ == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        raise _Mismatch
    if type_ == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _FLOAT.fullmatch(value):
            return float(value)
        raise _Mismatch
    if type_ == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        raise _Mismatch
    if type_ == "String":
        if isinstance(value, str):
            return value
        raise _Mismatch  # Telegram would stringify a number; a bot sending one has a bug
    if type_ == "InputFile":
        if isinstance(value, Upload):
            return value
        raise _Mismatch
    if type_.startswith("Array of "):
        items = _decode_json(value, list)
        if items is None:
            raise _Mismatch
        inner = type_.removeprefix("Array of ")
        return [
            _convert(item, (inner,), f"{where}[{i}]", allow_unknown) for i, item in enumerate(items)
        ]
    # An object: nested objects arrive as JSON text inside form fields.
    obj = _decode_json(value, dict)
    if obj is None:
        raise _Mismatch
    if type_ in UNIONS:
        concrete = UNIONS[type_].get(str(obj.get("type")))
        if concrete is None:
            raise bad(f'unsupported {where} type "{obj.get("type")}"')
        type_ = concrete
    rules = OBJECTS.get(type_)
    if rules is None:
        return obj  # an object the stand-in does not look inside
    out = _check_object(rules, obj, where, allow_unknown=allow_unknown, top=False)
    _check_actions(type_, out, where)
    return out


def _decode_json(value: Any, kind: type) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, kind) else None


def _required(type_: str) -> set[str]:
    return {name for name, field in OBJECTS.get(type_, {}).items() if field.required}


def _check_actions(type_: str, obj: dict[str, Any], where: str) -> None:
    if type_ not in ACTIONS:
        return
    least, fields = ACTIONS[type_]
    used = [name for name in fields if name in obj]
    if len(used) < least:
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(used) > 1:
        raise bad(f"can't parse {where}: only one of {', '.join(used)} may be used")


def _check_limits(field: Field, value: Any, where: str) -> None:
    """The limits that hold for the value as sent (after_parsing ones are checked later)."""
    problem = None
    if isinstance(value, str) and not field.after_parsing:
        problem = text_problem(field, value)
        if field.pattern and not re.fullmatch(field.pattern, value):
            problem = "does not match the allowed format"
        # An empty parse_mode means none, for Telegram too.
        if field.choices and value and value.lower() not in {c.lower() for c in field.choices}:
            problem = f"must be one of {', '.join(field.choices)}"
    if isinstance(value, int) and not isinstance(value, bool):
        if field.min_value is not None and value < field.min_value:
            problem = f"must be at least {field.min_value}"
        if field.max_value is not None and value > field.max_value:
            problem = f"must be at most {field.max_value}"
    if isinstance(value, list) and field.max_items is not None and len(value) > field.max_items:
        problem = f"has more than {field.max_items} items"
    if problem:
        raise bad(field.error or f'field "{where}" {problem}')


def text_problem(field: Field, text: str) -> str | None:
    """What is wrong with a string's length, if anything."""
    size = len(text.encode())
    if field.min_len is not None and len(text) < field.min_len:
        return f"must be at least {field.min_len} characters long"
    if field.max_len is not None and len(text) > field.max_len:
        return f"must be at most {field.max_len} characters long"
    if field.min_bytes is not None and size < field.min_bytes:
        return f"must be at least {field.min_bytes} bytes long"
    if field.max_bytes is not None and size > field.max_bytes:
        return f"must be at most {field.max_bytes} bytes long"
    return None


# --- Telegram HTML -------------------------------------------------------------------------

_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*/?>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d+)|#x([0-9a-fA-F]+));")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram HTML to (plain text, entities), or ApiError("can't parse entities: ...").

    Stricter than Telegram in one way: a bare "&" or ">" is refused too, because a bot that
    leaves them unescaped does not escape what students type, and their "<" will break it.
    """
    plain: list[str] = []
    offset = 0  # in UTF-16 code units, as Telegram counts entity offsets
    open_tags: list[tuple[str, dict[str, Any], int]] = []
    entities: list[dict[str, Any]] = []
    i = 0

    def fail(message: str) -> ApiError:
        return bad(f"can't parse entities: {message} at byte offset {len(source[:i].encode())}")

    while i < len(source):
        char = source[i]
        if char == "<":
            match = _TAG.match(source, i)
            if match is None:
                raise fail('Unescaped "<"; write &lt;')
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in HTML_TAGS:
                raise fail(f'Unsupported start tag "{name}"')
            if closing:
                if not open_tags:
                    raise fail(f'Unexpected end tag "{name}"')
                if open_tags[-1][0] != name:
                    raise fail(f'Unmatched end tag "{name}", expected "</{open_tags[-1][0]}>"')
                _, entity, start = open_tags.pop()
                if offset > start and entity:
                    entities.append({**entity, "offset": start, "length": offset - start})
            else:
                attrs = {
                    k.lower(): html.unescape(v.strip("\"'"))
                    for k, v in _ATTR.findall(match.group(3))
                }
                entity = _entity(name, attrs)
                if entity is None:
                    raise fail(f'Unsupported start tag "{name}"')
                if name == "code" and open_tags and open_tags[-1][0] == "pre":
                    # <pre><code class="language-x"> is one pre entity with a language
                    language = attrs.get("class", "").removeprefix("language-")
                    if language:
                        open_tags[-1][1]["language"] = language
                    entity = {}
                open_tags.append((name, entity, offset))
            i = match.end()
            continue
        if char == "&":
            match = _ENTITY.match(source, i)
            if match is None:
                raise fail('Unescaped "&"; write &amp;')
            named, decimal, hexadecimal = match.groups()
            number = int(decimal or hexadecimal or "0", 16 if hexadecimal else 10)
            if not named and not 0 < number <= 0x10FFFF:
                raise fail("Invalid character reference")
            char = HTML_ENTITIES[named] if named else chr(number)
            i = match.end()
        elif char == ">":
            raise fail('Unescaped ">"; write &gt;')
        else:
            i += 1
        plain.append(char)
        offset += utf16_len(char)
    if open_tags:
        tag = open_tags[-1][0]
        raise bad(f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\"")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


def _entity(name: str, attrs: dict[str, str]) -> dict[str, Any] | None:
    """The entity a start tag opens, or None when Telegram refuses the tag."""
    kind = HTML_TAGS[name]
    if name == "span":
        return {"type": kind} if attrs.get("class") == "tg-spoiler" else None
    if name == "a":
        href = attrs.get("href")
        return {"type": kind, "url": href} if href else None
    if name == "tg-emoji":
        emoji = attrs.get("emoji-id")
        return {"type": kind, "custom_emoji_id": emoji} if emoji else None
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}
