"""DynamoDB's expression language, parsed once per expression text.

A wave sends the same few expressions thousands of times with other values, so each text is parsed once and
kept (``parse_condition``, ``parse_update``, ``parse_projection``); the placeholders stay in the tree and are
looked up when the expression is evaluated (``evaluate.py``). The grammar is the one of the DynamoDB Developer
Guide ("Condition and filter expressions, operators, and functions", "Update expressions"): comparators, BETWEEN,
IN, the six functions, NOT over AND over OR, and SET/REMOVE/ADD/DELETE clauses, each at most once.

Trees are tuples: a path is ``("path", (element, ...))`` with ``("name", text)``, ``("#", placeholder)`` or an
``int`` list index per element; a value ``(":", placeholder)``; conditions ``("cmp", op, a, b)``,
``("between", a, low, high)``, ``("in", a, (b, ...))``, ``("and", a, b)``, ``("or", a, b)``, ``("not", a)``,
``("fn", name, (argument, ...))``; operands ``("size", path)``, ``("if_not_exists", path, operand)``,
``("list_append", a, b)``, ``("+", a, b)``, ``("-", a, b)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import ValidationError

_TOKEN = re.compile(r"\s*(?:(?P<name>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
                    r"|(?P<index>\[\s*\d+\s*\])|(?P<op><>|<=|>=|[=<>(),.+\-])|(?P<bad>\S))")
_CONDITION_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2,
                        "contains": 2}
_COMPARATORS = frozenset(("=", "<>", "<", "<=", ">", ">="))
_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")


@lru_cache(maxsize=None)
def _reserved() -> frozenset[str]:
    """DynamoDB's reserved words (moto keeps the Developer Guide's list)."""
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords
    return frozenset(word.upper() for word in ReservedKeywords.get_reserved_keywords())


@dataclass(frozen=True)
class Parsed:
    """A parsed expression: its tree and the placeholders it uses."""

    tree: object
    names: frozenset[str]
    values: frozenset[str]


class _Tokens:
    def __init__(self, text: str, kind: str) -> None:
        self.text, self.kind = text, kind
        self.items: list[tuple[str, str]] = []
        for match in _TOKEN.finditer(text):
            group = match.lastgroup
            token = match.group(group)
            if group == "bad":
                raise self.error(token)
            if group == "index":
                token = token[1:-1].strip()
            self.items.append((group, token))
        if text.strip() and not self.items:
            raise self.error(text.strip())
        self.at = 0
        self.names: set[str] = set()
        self.values: set[str] = set()

    def error(self, token: str | None = None) -> ValidationError:
        if token is None:
            token = "<EOF>" if self.at >= len(self.items) else self.items[self.at][1]
        near = " ".join(t for _, t in self.items[max(0, self.at - 1):self.at + 2]) or token
        return ValidationError(f'Invalid {self.kind}: Syntax error; token: "{token}", near: "{near}"')

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        index = self.at + offset
        return self.items[index] if index < len(self.items) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.error("<EOF>")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.peek()
        if token is None or token[1] != text:
            raise self.error()
        self.at += 1

    def is_op(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] == text

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].upper() in words

    def done(self) -> None:
        if self.at < len(self.items):
            raise self.error()


def _path(tokens: _Tokens) -> tuple:
    elements: list = [_element(tokens)]
    while True:
        token = tokens.peek()
        if token is None:
            break
        if token[0] == "index":
            tokens.take()
            elements.append(int(token[1]))
        elif token == ("op", "."):
            tokens.take()
            elements.append(_element(tokens))
        else:
            break
    return ("path", tuple(elements))


def _element(tokens: _Tokens):
    group, token = tokens.take()
    if group == "name":
        tokens.names.add(token)
        return ("#", token)
    if group == "word":
        if token.upper() in _reserved():
            raise ValidationError(f"Invalid {tokens.kind}: Attribute name is a reserved keyword; reserved keyword:"
                                  f" {token}")
        return ("name", token)
    tokens.at -= 1
    raise tokens.error()


def _operand(tokens: _Tokens):
    """A condition's operand: a path, a value or ``size(path)``."""
    token = tokens.peek()
    if token is None:
        raise tokens.error("<EOF>")
    if token[0] == "value":
        tokens.take()
        tokens.values.add(token[1])
        return (":", token[1])
    if token[0] == "word" and token[1] == "size" and tokens.peek(1) == ("op", "("):
        tokens.take()
        tokens.take()
        path = _path(tokens)
        tokens.expect(")")
        return ("size", path)
    if token[0] == "word" and tokens.peek(1) == ("op", "("):
        raise ValidationError(f"Invalid {tokens.kind}: Invalid function name; function: {token[1]}")
    return _path(tokens)


def _joined(tokens: _Tokens, word: str, operand):
    """``operand (word operand)*``, grouped from the left."""
    left = operand(tokens)
    while tokens.is_word(word):
        tokens.take()
        left = (word.lower(), left, operand(tokens))
    return left


def _or(tokens: _Tokens):
    return _joined(tokens, "OR", _and)


def _and(tokens: _Tokens):
    return _joined(tokens, "AND", _not)


def _not(tokens: _Tokens):
    if tokens.is_word("NOT"):
        tokens.take()
        return ("not", _not(tokens))
    return _comparison(tokens)


def _comparison(tokens: _Tokens):
    if tokens.is_op("("):
        tokens.take()
        inner = _or(tokens)
        tokens.expect(")")
        return inner
    token = tokens.peek()
    if token is not None and token[0] == "word" and token[1] in _CONDITION_FUNCTIONS and tokens.peek(1) == ("op", "("):
        return _function(tokens)
    left = _operand(tokens)
    token = tokens.peek()
    if token is not None and token[0] == "op" and token[1] in _COMPARATORS:
        tokens.take()
        return ("cmp", token[1], left, _operand(tokens))
    if tokens.is_word("BETWEEN"):
        tokens.take()
        low = _operand(tokens)
        if not tokens.is_word("AND"):
            raise tokens.error()
        tokens.take()
        return ("between", left, low, _operand(tokens))
    if tokens.is_word("IN"):
        tokens.take()
        options = _listed(tokens)
        if len(options) > 100:
            raise ValidationError(f"Invalid {tokens.kind}: The IN operator is provided with too many operands;"
                                  f" number of operands: {len(options)}")
        return ("in", left, tuple(options))
    raise tokens.error()


def _listed(tokens: _Tokens) -> list:
    """``( operand , ... )``: a function's arguments, IN's options."""
    tokens.expect("(")
    found = [_operand(tokens)]
    while tokens.is_op(","):
        tokens.take()
        found.append(_operand(tokens))
    tokens.expect(")")
    return found


def _function(tokens: _Tokens):
    _, name = tokens.take()
    arguments = _listed(tokens)
    if len(arguments) != _CONDITION_FUNCTIONS[name]:
        raise ValidationError(f"Invalid {tokens.kind}: Incorrect number of operands for operator or function;"
                              f" operator or function: {name}, number of operands: {len(arguments)}")
    if arguments[0][0] != "path":
        raise ValidationError(f"Invalid {tokens.kind}: Operator or function requires a document path; operator or"
                              f" function: {name}")
    return ("fn", name, tuple(arguments))


def _parsed(text: str, kind: str, parse) -> Parsed:
    if not text.strip():
        raise ValidationError(f"Invalid {kind}: The expression can not be empty;")
    tokens = _Tokens(text, kind)
    tree = parse(tokens)
    tokens.done()
    return Parsed(tree, frozenset(tokens.names), frozenset(tokens.values))


@lru_cache(maxsize=4096)
def parse_condition(text: str, kind: str = "ConditionExpression") -> Parsed:
    """A condition, filter or key condition expression."""
    parsed = _parsed(text, kind, _or)
    if parsed.tree[0] in ("size", ":", "path"):
        raise ValidationError(f"Invalid {kind}: The expression has a function or operand that returns a value,"
                              " but the expression requires a boolean")
    return parsed


@lru_cache(maxsize=4096)
def parse_projection(text: str) -> Parsed:
    """A projection expression: paths separated by commas."""
    def paths(tokens: _Tokens):
        found = [_path(tokens)]
        while tokens.is_op(","):
            tokens.take()
            found.append(_path(tokens))
        return tuple(found)
    return _parsed(text, "ProjectionExpression", paths)


def _update_operand(tokens: _Tokens):
    token = tokens.peek()
    if token is not None and token[0] == "word" and tokens.peek(1) == ("op", "("):
        name = token[1]
        if name not in ("if_not_exists", "list_append"):
            raise ValidationError(f"Invalid UpdateExpression: Invalid function name; function: {name}")
        tokens.take()
        tokens.take()
        first = _update_operand(tokens)
        tokens.expect(",")
        second = _update_operand(tokens)
        tokens.expect(")")
        if name == "if_not_exists" and first[0] != "path":
            raise ValidationError("Invalid UpdateExpression: Operator or function requires a document path; operator"
                                  " or function: if_not_exists")
        return (name, first, second)
    if token is not None and token[0] == "value":
        tokens.take()
        tokens.values.add(token[1])
        return (":", token[1])
    return _path(tokens)


def _set_value(tokens: _Tokens):
    left = _update_operand(tokens)
    if tokens.is_op("+") or tokens.is_op("-"):
        _, op = tokens.take()
        return (op, left, _update_operand(tokens))
    return left


def _clauses(tokens: _Tokens):
    """``{"SET": ((path, value), ...), "REMOVE": (path, ...), "ADD": ((path, value), ...), "DELETE": ...}``."""
    clauses: dict[str, tuple] = {}
    while tokens.peek() is not None:
        if not tokens.is_word(*_CLAUSES):
            raise tokens.error()
        clause = tokens.take()[1].upper()
        if clause in clauses:
            raise ValidationError(f'Invalid UpdateExpression: The "{clause}" section can only be used once in an'
                                  " update expression;")
        actions = []
        while True:
            path = _path(tokens)
            if clause == "SET":
                tokens.expect("=")
                actions.append((path, _set_value(tokens)))
            elif clause == "REMOVE":
                actions.append(path)
            else:
                token = tokens.peek()
                if token is None or token[0] != "value":
                    raise tokens.error()
                tokens.take()
                tokens.values.add(token[1])
                actions.append((path, (":", token[1])))
            if not tokens.is_op(","):
                break
            tokens.take()
        clauses[clause] = tuple(actions)
    return clauses


@lru_cache(maxsize=4096)
def parse_update(text: str) -> Parsed:
    """An update expression."""
    return _parsed(text, "UpdateExpression", _clauses)
