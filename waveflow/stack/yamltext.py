"""A value as block YAML text, for embedding computed data (policies, definitions) in the rendered template.

The partials are hand-written YAML; the values the model computes (an ASL definition, a role's statements,
a table's key schema) are emitted here, one fixed way, so the template is byte-identical on every build and
readable in a review. Strings are JSON-quoted, which YAML reads back unchanged.
"""
from __future__ import annotations

import json
import re

#: Strings written bare: identifier-like (ARNs and ``Fn::`` names too), never read by YAML as anything else.
_PLAIN = re.compile(r"(?!.*:$)[A-Za-z_$][A-Za-z0-9_.$/:-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def to_yaml(value, indent: int = 0) -> str:
    """``value`` as YAML lines indented by ``indent`` spaces; meant to follow ``key:`` on its own line.

    >>> print(to_yaml({"Ref": "Bus", "List": [1, {"a": True}]}, 2))
      Ref: Bus
      List:
        - 1
        - a: true
    """
    return "\n".join(_lines(value, indent))


def inline(value) -> str:
    """A scalar or an empty collection as it appears after ``key: ``: bare when YAML reads it back as the same
    string, else in JSON spelling (which YAML reads).

    >>> inline("dynamodb:GetItem"), inline("*"), inline("true"), inline(300)
    ('dynamodb:GetItem', '"*"', '"true"', '300')
    """
    if isinstance(value, str) and _plain(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _lines(value, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines = []
        for key, item in value.items():
            if _is_block(item):
                lines.append(f"{pad}{_key(str(key))}:")
                lines += _lines(item, indent + 2)
            else:
                lines.append(f"{pad}{_key(str(key))}: {inline(item)}")
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            if _is_block(item):
                nested = _lines(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines += nested[1:]
            else:
                lines.append(f"{pad}- {inline(item)}")
        return lines
    return [f"{pad}{inline(value)}"]


def _is_block(value) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _key(key: str) -> str:
    return key if _plain(key) else json.dumps(key, ensure_ascii=False)


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and text.lower() not in _YAML_WORDS
