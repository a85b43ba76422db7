"""Data flow in Python terms: references into the state document, intrinsic functions, payload templates.

``Ref("$.server.id")`` stands for a JSONPath read at run time; inside ``parameters=`` it becomes an ASL
``"key.$"`` entry. ``Intrinsic`` objects (built by the functions of ``waveflow.dsl.intrinsics``) become
``States.*`` calls. Everything else is copied as a literal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A reference path as Step Functions accepts it: $ or $$ followed by .field, ['field'] or [index] steps.
# Wildcards and filters are allowed only where ASL allows them (ItemsPath/Parameters), so they are accepted here
# and left to statelint and the interpreter to judge in context.
_STEP = r"(?:\.[^.\[\]\s'\"]+|\[(?:\d+|\*|'[^']*'|\?\(.*?\))\]|\.\*)"
_PATH = re.compile(rf"^\$\$?{_STEP}*$")


def path_problem(path: object) -> str | None:
    """Why ``path`` is not a JSONPath reference Step Functions would accept, or ``None`` when it is fine."""
    if not isinstance(path, str):
        return f"a path must be a string such as '$.server.id', got {path!r}"
    if not path.startswith("$"):
        return f"path {path!r} must start with '$' (the state input) or '$$' (the context object)"
    if not _PATH.match(path):
        return f"path {path!r} is not a valid JSONPath reference (use '$.a.b', '$.a[0]' or \"$['a b']\")"
    return None


@dataclass(frozen=True)
class Ref:
    """A value read from the state input (``$...``) or the context object (``$$...``) at run time."""

    path: str

    def __truediv__(self, key: str | int) -> "Ref":
        """``Ref("$.target") / "subnetId"`` -> ``Ref("$.target.subnetId")``."""
        return Ref(f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}")


@dataclass(frozen=True)
class Expr:
    """A JSONata expression (JSONata-mode workflows): ``Expr("$states.input.server.id")`` -> ``{% ... %}``."""

    text: str

    def to_asl(self) -> str:
        return "{% " + self.text + " %}"


@dataclass(frozen=True)
class Literal:
    """Text to send as it is, even when it looks like a path: ``literal("$.price")`` is the string ``$.price``.

    A plain string that looks like a path in a payload template is refused, because a ``Ref`` was nearly always
    meant; ``literal`` says the text is intended.
    """

    text: str


def literal(text: str) -> Literal:
    """``literal("$.x")``: the text ``$.x`` itself, not the value at that path."""
    return Literal(text)


def Context(path: str) -> Ref:
    """A context-object reference: ``Context("Execution.Id")`` -> ``$$.Execution.Id``."""
    return Ref("$$." + path)


@dataclass(frozen=True)
class Intrinsic:
    """A call to a Step Functions intrinsic function, e.g. ``States.Format('{}', $.name)``."""

    function: str
    args: tuple

    def to_asl(self) -> str:
        rendered = [_argument(arg, template=(i == 0 and self.function == "States.Format"))
                    for i, arg in enumerate(self.args)]
        return f"{self.function}({', '.join(rendered)})"


def _argument(value: object, template: bool = False) -> str:
    """One argument in intrinsic syntax. ' { } and \\ are escaped with a backslash, except the ``{}``
    placeholders of a States.Format template."""
    if isinstance(value, Ref):
        return value.path
    if isinstance(value, Intrinsic):
        return value.to_asl()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Literal):
        value = value.text
    if isinstance(value, str):
        escaped = re.sub(r"([\\'])" if template else r"([\\'{}])", r"\\\1", value)
        return f"'{escaped}'"
    raise TypeError(f"intrinsic function arguments must be Ref, Intrinsic, str, literal, number, bool or None, "
                    f"got {value!r}")


def template(value: object) -> object:
    """Render a payload template (``parameters=``, ``result_selector=``, ``item_selector=``) to ASL."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"payload template keys must be strings, got {key!r}")
            if isinstance(item, Ref):
                out[key + ".$"] = item.path
            elif isinstance(item, Intrinsic):
                out[key + ".$"] = item.to_asl()
            elif isinstance(item, Expr):
                out[key] = item.to_asl()
            else:
                out[key] = template(item)
        return out
    if isinstance(value, (list, tuple)):
        return [template(item) for item in value]
    if isinstance(value, Expr):
        return value.to_asl()
    if isinstance(value, Literal):
        return value.text
    if isinstance(value, (Ref, Intrinsic)):
        raise TypeError("a Ref or intrinsic can only be the value of a key in a payload template")
    return value


def template_paths(value: object) -> list[str]:
    """Every reference path used in a payload template, so the compiler can check each of them."""
    found: list[str] = []
    if isinstance(value, dict):
        for item in value.values():
            found += template_paths(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found += template_paths(item)
    elif isinstance(value, Ref):
        found.append(value.path)
    elif isinstance(value, Intrinsic):
        for arg in value.args:
            found += template_paths(arg)
    return found


def path_like_strings(value: object) -> list[str]:
    """Plain strings in a template that read as paths (``"$.server"``): sent as text, where a ``Ref`` was surely
    meant. Values under keys the author already wrote as ASL (``"id.$"``) and ``literal(...)`` texts are not."""
    if isinstance(value, str):
        return [value] if path_problem(value) is None else []
    if isinstance(value, dict):
        return [text for key, item in value.items() if not (isinstance(key, str) and key.endswith(".$"))
                for text in path_like_strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in path_like_strings(item)]
    if isinstance(value, Intrinsic):
        return path_like_strings(list(value.args))
    return []


def template_expressions(value: object) -> list[str]:
    """The text of every JSONata ``Expr`` in a template, so the compiler can check each of them."""
    if isinstance(value, Expr):
        return [value.text]
    if isinstance(value, dict):
        return [text for item in value.values() for text in template_expressions(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in template_expressions(item)]
    return []


def uses_jsonpath(value: object) -> bool:
    """Whether a template holds JSONPath references or intrinsics (not allowed in a JSONata state)."""
    if isinstance(value, dict):
        return any(uses_jsonpath(v) or (isinstance(k, str) and k.endswith(".$")) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(uses_jsonpath(v) for v in value)
    return isinstance(value, (Ref, Intrinsic))
