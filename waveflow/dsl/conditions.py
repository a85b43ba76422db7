"""Choice conditions built with Python operators: ``(Var("$.status") == "READY") & ~Var("$.error").is_present()``.

The comparison operator is chosen from the type of the right-hand side (str -> String*, bool -> Boolean*,
int/float -> Numeric*, datetime -> Timestamp*). Comparing two variables needs the type stated:
``Var.number("$.lag") <= Var("$.maxLag")`` compiles to ``NumericLessThanEqualsPath``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .data import Expr, path_problem
from .durations import utc_timestamp

_KINDS = {"string": "String", "number": "Numeric", "boolean": "Boolean", "timestamp": "Timestamp"}
_OPERATORS = {"==": "Equals", "<": "LessThan", "<=": "LessThanEquals", ">": "GreaterThan", ">=": "GreaterThanEquals"}


class Condition:
    """A boolean rule for a Choice state; combine with ``&``, ``|`` and ``~``."""

    def __and__(self, other: "Condition") -> "Condition":
        return Combined("And", (self, _condition(other)))

    def __or__(self, other: "Condition") -> "Condition":
        return Combined("Or", (self, _condition(other)))

    def __invert__(self) -> "Condition":
        return Negated(self)

    def __bool__(self):
        raise TypeError("conditions are compiled, not evaluated in Python: use & | ~ instead of and/or/not")

    def to_asl(self) -> dict:
        raise NotImplementedError

    def paths(self) -> list[str]:
        """Every JSONPath the condition reads, for validation."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Jsonata(Condition):
    """A JSONata condition for JSONata-mode Choice states: ``Jsonata("$states.input.lag < 60")``."""

    text: str

    def to_asl(self) -> dict:
        return {"Condition": Expr(self.text).to_asl()}

    def paths(self) -> list[str]:
        return []


def _condition(value: object) -> Condition:
    if not isinstance(value, Condition):
        raise TypeError(f"expected a condition such as Var('$.x') == 'y', got {value!r}")
    return value


@dataclass(frozen=True, eq=False)
class Combined(Condition):
    operator: str
    parts: tuple

    def __and__(self, other):
        if self.operator == "And":
            return Combined("And", self.parts + (_condition(other),))
        return super().__and__(other)

    def __or__(self, other):
        if self.operator == "Or":
            return Combined("Or", self.parts + (_condition(other),))
        return super().__or__(other)

    def to_asl(self) -> dict:
        return {self.operator: [part.to_asl() for part in self.parts]}

    def paths(self) -> list[str]:
        return [p for part in self.parts for p in part.paths()]


@dataclass(frozen=True, eq=False)
class Negated(Condition):
    inner: Condition

    def to_asl(self) -> dict:
        return {"Not": self.inner.to_asl()}

    def paths(self) -> list[str]:
        return self.inner.paths()


@dataclass(frozen=True, eq=False)
class Comparison(Condition):
    variable: str
    operator: str
    value: object

    def to_asl(self) -> dict:
        return {"Variable": self.variable, self.operator: self.value}

    def paths(self) -> list[str]:
        extra = [self.value] if self.operator.endswith("Path") else []
        return [self.variable, *extra]


class Var:
    """A variable of the state input to test in a Choice; ``Var.number("$.lagSeconds") < 60``."""

    def __init__(self, path: str, kind: str | None = None):
        if kind is not None and kind not in _KINDS:
            raise ValueError(f"Var kind must be one of {sorted(_KINDS)}, got {kind!r}")
        self.path = path
        self.kind = kind

    @classmethod
    def string(cls, path: str) -> "Var":
        return cls(path, "string")

    @classmethod
    def number(cls, path: str) -> "Var":
        return cls(path, "number")

    @classmethod
    def boolean(cls, path: str) -> "Var":
        return cls(path, "boolean")

    @classmethod
    def timestamp(cls, path: str) -> "Var":
        return cls(path, "timestamp")

    def _compare(self, symbol: str, other: object) -> Comparison:
        if isinstance(other, Var):
            kind = self.kind or other.kind
            if kind is None:
                raise TypeError(f"comparing {self.path} with {other.path}: say the type, "
                                f"e.g. Var.number({self.path!r})")
            return Comparison(self.path, f"{_KINDS[kind]}{_OPERATORS[symbol]}Path", other.path)
        kind, value = _literal(other)
        if kind == "boolean" and symbol != "==":
            raise TypeError(f"booleans can only be compared with ==, not {symbol}")
        return Comparison(self.path, f"{_KINDS[kind]}{_OPERATORS[symbol]}", value)

    def __eq__(self, other):  # type: ignore[override]
        return self._compare("==", other)

    def __ne__(self, other):  # type: ignore[override]
        return Negated(self._compare("==", other))

    def __lt__(self, other):
        return self._compare("<", other)

    def __le__(self, other):
        return self._compare("<=", other)

    def __gt__(self, other):
        return self._compare(">", other)

    def __ge__(self, other):
        return self._compare(">=", other)

    __hash__ = None  # type: ignore[assignment]

    def matches(self, pattern: str) -> Comparison:
        """Wildcard match: ``Var("$.hostname").matches("web-*")`` (escape a literal * as ``\\*``)."""
        return Comparison(self.path, "StringMatches", pattern)

    def is_present(self, present: bool = True) -> Comparison:
        return Comparison(self.path, "IsPresent", present)

    def is_null(self, null: bool = True) -> Comparison:
        return Comparison(self.path, "IsNull", null)

    def is_numeric(self, numeric: bool = True) -> Comparison:
        return Comparison(self.path, "IsNumeric", numeric)

    def is_string(self, string: bool = True) -> Comparison:
        return Comparison(self.path, "IsString", string)

    def is_boolean(self, boolean: bool = True) -> Comparison:
        return Comparison(self.path, "IsBoolean", boolean)

    def is_timestamp(self, timestamp: bool = True) -> Comparison:
        return Comparison(self.path, "IsTimestamp", timestamp)


def _literal(value: object) -> tuple[str, object]:
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, (int, float)):
        return "number", value
    if isinstance(value, str):
        return "string", value
    if isinstance(value, datetime):
        return "timestamp", utc_timestamp(value)
    raise TypeError(f"cannot compare with {value!r}: use a str, number, bool, datetime or another Var")


def not_a_condition(value: object) -> str | None:
    """Why ``value`` cannot be a Choice or Poll condition, naming the likely fix; ``None`` when it is one.

    >>> not_a_condition(Var("$.ready"))
    "Var('$.ready') alone is not a condition; compare it, e.g. Var('$.ready') == True"
    """
    if isinstance(value, Condition):
        return None
    if isinstance(value, Var):
        return f"Var({value.path!r}) alone is not a condition; compare it, e.g. Var({value.path!r}) == True"
    if callable(value) and isinstance(getattr(value, "__self__", None), Var):
        return (f"Var({value.__self__.path!r}).{value.__name__} is a method; call it: "
                f"Var({value.__self__.path!r}).{value.__name__}()")
    if isinstance(value, bool):
        return (f"{value!r} is decided when the file runs, not when the workflow runs; "
                f"test the input instead, e.g. Var('$.ready') == True")
    if isinstance(value, str):
        return (f"the string {value!r} is not a condition; use Var('$.x') == 'y' "
                f"(or Jsonata('...') in a JSONata state)")
    return f"expected a condition such as Var('$.x') == 'y', got {value!r}"


def condition_problems(condition: Condition) -> list[str]:
    """Malformed paths in a condition, as messages."""
    return [problem for path in condition.paths() if (problem := path_problem(path))]
