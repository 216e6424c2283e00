"""OData query options: `$filter` parsing and evaluation, `$orderby`, `$select` and `$expand` parsing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ODataError, bad_request

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\w-])
    | (?P<num>-?\d+(?:\.\d+)?)(?![\w])
    | (?P<name>[A-Za-z_$][\w.$]*)
    | (?P<punct>[(),/])
    )""",
    re.VERBOSE,
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"contains", "startswith", "endswith"}

Node = tuple


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise bad_request(f"Syntax error at position {pos} in '{text}'.")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind or 0)
        if kind == "str":
            tokens.append(("lit", value[1:-1].replace("''", "'")))
        elif kind == "guid":
            tokens.append(("lit", value.lower()))
        elif kind == "num":
            tokens.append(("lit", float(value) if "." in value else int(value)))
        elif kind == "name":
            low = value.lower()
            if low in ("true", "false"):
                tokens.append(("lit", low == "true"))
            elif low == "null":
                tokens.append(("lit", None))
            elif value in _COMPARE or value in ("and", "or", "not"):
                tokens.append(("op", value))
            else:
                tokens.append(("name", value))
        else:
            tokens.append(("punct", value))
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, text: str, check_name: Callable[[str], None]) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.check_name = check_name
        self.text = text

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        tok = self.peek()
        if tok is None:
            raise bad_request(f"Syntax error: unexpected end of '$filter={self.text}'.")
        self.i += 1
        return tok

    def expect(self, punct: str) -> None:
        tok = self.take()
        if tok != ("punct", punct):
            raise bad_request(f"Syntax error: expected '{punct}' in '$filter={self.text}'.")

    def parse(self) -> Node:
        node = self.or_expr()
        rest = self.peek()
        if rest is not None:
            raise bad_request(f"Syntax error at '{rest[1]}' in '$filter={self.text}'.")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.peek() == ("op", "or"):
            self.take()
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.peek() == ("op", "and"):
            self.take()
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.peek() == ("op", "not"):
            self.take()
            return ("not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in _COMPARE:
            self.take()
            return ("cmp", tok[1], left, self.operand())
        return left

    def operand(self) -> Node:
        kind, value = self.take()
        if (kind, value) == ("punct", "("):
            node = self.or_expr()
            self.expect(")")
            return node
        if kind == "lit":
            return ("lit", value)
        if kind == "name":
            if value.lower() in _FUNCTIONS and self.peek() == ("punct", "("):
                self.take()
                args = [self.operand()]
                while self.peek() == ("punct", ","):
                    self.take()
                    args.append(self.operand())
                self.expect(")")
                return ("fn", value.lower(), args)
            self.check_name(value)
            return ("prop", value)
        raise bad_request(f"Syntax error at '{value}' in '$filter={self.text}'.")


def parse_filter(text: str, check_name: Callable[[str], None]) -> Node:
    return _Parser(text, check_name).parse()


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _value(node: Node, row: dict[str, Any]) -> Any:
    if node[0] == "lit":
        return node[1]
    if node[0] == "prop":
        return row.get(node[1])
    return evaluate(node, row)


def evaluate(node: Node, row: dict[str, Any]) -> Any:
    kind = node[0]
    if kind == "and":
        return bool(evaluate(node[1], row)) and bool(evaluate(node[2], row))
    if kind == "or":
        return bool(evaluate(node[1], row)) or bool(evaluate(node[2], row))
    if kind == "not":
        return not evaluate(node[1], row)
    if kind == "cmp":
        op, left, right = node[1], _norm(_value(node[2], row)), _norm(_value(node[3], row))
        if op == "eq":
            return left == right
        if op == "ne":
            return left != right
        if left is None or right is None:
            return False
        try:
            return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
        except TypeError:
            return False
    if kind == "fn":
        args = [_value(a, row) for a in node[2]]
        if len(args) != 2:
            raise bad_request(f"The function '{node[1]}' takes two arguments.")
        hay, needle = args
        if not isinstance(hay, str) or not isinstance(needle, str):
            return False
        hay, needle = hay.lower(), needle.lower()
        return {
            "contains": needle in hay,
            "startswith": hay.startswith(needle),
            "endswith": hay.endswith(needle),
        }[node[1]]
    return _value(node, row)


def split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses and quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == sep and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_select(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return split_top(text, ",")


def parse_orderby(text: str | None) -> list[tuple[str, bool]]:
    result = []
    for item in split_top(text or "", ","):
        bits = item.split()
        descending = len(bits) > 1 and bits[1].lower() == "desc"
        if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise bad_request(f"Syntax error in '$orderby={text}'.")
        result.append((bits[0], descending))
    return result


def sort_rows(rows: list[dict[str, Any]], orderby: Iterable[tuple[str, bool]]) -> list[dict[str, Any]]:
    for name, descending in reversed(list(orderby)):
        rows.sort(
            key=lambda r, n=name: (r.get(n) is not None, _norm(r.get(n)) if r.get(n) is not None else 0),  # type: ignore[misc]
            reverse=descending,
        )
    return rows


@dataclass
class ExpandItem:
    nav: str
    options: dict[str, str] = field(default_factory=dict)


def parse_expand(text: str | None) -> list[ExpandItem]:
    items = []
    for part in split_top(text or "", ","):
        m = re.fullmatch(r"([\w.]+)\s*(?:\((.*)\))?", part, re.S)
        if not m:
            raise bad_request(f"Syntax error in '$expand={text}'.")
        options = {}
        for opt in split_top(m.group(2) or "", ";"):
            key, _, value = opt.partition("=")
            options[key.strip()] = value.strip()
        items.append(ExpandItem(m.group(1), options))
    return items


def reject_skip(params: dict[str, str]) -> None:
    if "$skip" in params:
        raise ODataError(400, "0x0", "The query parameter $skip is not supported")
